namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// How far reading an image has got, for a progress bar: the layer being read (1-based, of <see cref="LayerCount"/>), its
/// compressed bytes read so far and its size. Reported as the bytes stream through, at most every 1 MiB and at each layer's end.
/// </summary>
public sealed record LayerProgress(int Layer, int LayerCount, string Digest, long BytesRead, long LayerBytes);

/// <summary>Counts the bytes read through a layer's stream and reports them to an <see cref="IProgress{T}"/>.</summary>
internal sealed class ProgressReportingStream(Stream inner, Func<long, LayerProgress> progressAt, IProgress<LayerProgress> progress) : ForwardReadStream
{
    private const long ReportEvery = 1 << 20;
    private long read;
    private long reported;

    public override long Position { get => read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    private int Count(int n)
    {
        read += n;
        if (n == 0 || read - reported >= ReportEvery)
        {
            reported = read;
            progress.Report(progressAt(read));
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>The stream itself without a progress to report to, else the stream counted for layer <paramref name="layer"/>.</summary>
    public static Stream Wrap(Stream stream, IProgress<LayerProgress>? progress, int layer, int layerCount, string digest, long layerBytes) =>
        progress is null ? stream : new ProgressReportingStream(stream, bytes => new LayerProgress(layer, layerCount, digest, bytes, layerBytes), progress);
}
