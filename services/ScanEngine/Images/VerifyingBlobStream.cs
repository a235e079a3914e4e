using System.Security.Cryptography;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// A blob body as it comes off the network. Hashes what passes through and, on the read that
/// reaches the end, checks digest and size: a mismatch throws DigestMismatch from that read, so a
/// consumer that reads to the end can never take a lying registry's bytes for the blob. Network
/// errors and stalls become RegistryUnreachable. Owns the HTTP response.
/// </summary>
internal sealed class VerifyingBlobStream(
    Stream inner, IDisposable? owner, string expectedDigest, long? expectedSize, TimeSpan idleTimeout, string what) : Stream
{
    private readonly IncrementalHash hash = Digests.CreateHash(expectedDigest);
    private long position;
    private bool verified;

    public long BytesRead => position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Unreachable(e);
        }
        return Account(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Reading {what} stalled: no data for {idleTimeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Unreachable(e);
        }
        return Account(buffer.Span[..read]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            Verify();
            return 0;
        }
        position += data.Length;
        if (expectedSize is { } size && position > size)
            throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry sent more than the {size} bytes of {what}.");
        hash.AppendData(data);
        return data.Length;
    }

    private void Verify()
    {
        if (verified) return;
        verified = true;
        if (expectedSize is { } size && position != size)
            throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry sent {position} bytes of {what}; the manifest says {size}.");
        var actual = Digests.Format(expectedDigest, hash.GetHashAndReset());
        if (actual != expectedDigest)
            throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry sent content with digest {actual} for {what}.");
    }

    private ScanException Unreachable(Exception e) =>
        new(ScanFailureKind.RegistryUnreachable, $"Reading {what} failed after {position} bytes: {e.Message}", e);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            owner?.Dispose();
            hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
