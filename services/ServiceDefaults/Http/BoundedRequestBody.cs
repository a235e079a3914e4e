namespace ImageScanning.ServiceDefaults.Http;

/// <summary>A request body went over the limit an endpoint set for it; the message names the limit and its setting.</summary>
public sealed class RequestBodyTooLargeException(string message) : IOException(message);

/// <summary>
/// A read-only view of a request body that fails once more than <c>maxBytes</c> have been read. Content-Length is only the
/// sender's word and a chunked body has none, so the limit is counted on the bytes actually read.
/// </summary>
public sealed class BoundedRequestBody(Stream inner, long maxBytes, string setting) : Stream
{
    private long read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => read; set => throw new NotSupportedException(); }

    /// <summary>Kestrel counts what it has taken from the connection, a transport read ahead of what the endpoint asked for.</summary>
    private const long ServerReadAheadSlack = 1 << 20;

    /// <summary>
    /// The body bounded by the endpoint's own limit, which then answers instead of Kestrel's general one
    /// (Http:MaxRequestBodyBytes); fails at once when the sender announced more than the limit, so nothing of it is read.
    /// </summary>
    public static BoundedRequestBody For(Microsoft.AspNetCore.Http.HttpRequest request, long maxBytes, string setting)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes, setting);
        AllowServerToRead(request, maxBytes);
        return new BoundedRequestBody(request.Body, maxBytes, setting);
    }

    /// <summary>
    /// Lets Kestrel read a little more than <paramref name="maxBytes"/> for this request (never less than its general cap), so
    /// that the endpoint's own limit is the one that answers; Kestrel still bounds what it drains after the answer.
    /// </summary>
    public static void AllowServerToRead(Microsoft.AspNetCore.Http.HttpRequest request, long maxBytes)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = Math.Max(size.MaxRequestBodySize ?? 0, maxBytes + 1 + ServerReadAheadSlack);
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The whole body as UTF-8 text, within the limit.</summary>
    public async Task<string> ReadTextAsync(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(this, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private int Count(int bytes)
    {
        read += bytes;
        if (read > maxBytes) throw TooLarge(maxBytes, setting);
        return bytes;
    }

    private static RequestBodyTooLargeException TooLarge(long maxBytes, string setting) =>
        new($"The request body is larger than {maxBytes} bytes (limit {setting}); nothing of it was imported.");

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
