namespace ImageScanning.CveFeed.Apis;

/// <summary>
/// A write-only stream that collects what is written to it, synchronously or not, until <see cref="DrainToAsync"/> copies it to
/// the real target. ZipArchive finishes an entry with a synchronous write (its entry stream has no asynchronous dispose), which
/// Kestrel refuses on a response body; between entries the export drains this buffer, so it holds at most one compressed record.
/// </summary>
internal sealed class DrainedWriteBuffer : Stream
{
    private readonly MemoryStream buffer = new();
    private long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes written so far (ZipArchive reads it to place entries on a non-seekable stream).</summary>
    public override long Position { get => written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> bytes)
    {
        buffer.Write(bytes);
        written += bytes.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes everything collected since the last drain to <paramref name="target"/> and empties the buffer.</summary>
    public async Task DrainToAsync(Stream target, CancellationToken ct)
    {
        if (buffer.Length == 0) return;
        await target.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        buffer.SetLength(0);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
