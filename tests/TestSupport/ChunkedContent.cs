using System.Net;

namespace ImageScanning.TestSupport;

/// <summary>
/// A request body HttpClient cannot measure: it goes out with Transfer-Encoding: chunked, in 64 KiB pieces, so a server learns
/// its length only by reading it (what a limit counted on the bytes read must handle).
/// </summary>
public sealed class ChunkedContent : HttpContent
{
    private const int Piece = 64 * 1024;
    private readonly byte[] _body;

    public ChunkedContent(byte[] body, string? mediaType = null)
    {
        _body = body;
        if (mediaType is not null) Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
    }

    public ChunkedContent(string text, string? mediaType = null) : this(System.Text.Encoding.UTF8.GetBytes(text), mediaType) { }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < _body.Length; offset += Piece)
            await stream.WriteAsync(_body.AsMemory(offset, Math.Min(Piece, _body.Length - offset)));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
