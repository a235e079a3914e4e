using System.Globalization;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// A blob body that must keep arriving at <see cref="BlobThroughputOptions.MinimumThroughputBytesPerSecond"/>: the time its reads
/// spend waiting is cut into windows of <see cref="BlobThroughputOptions.ThroughputWindow"/>, and a window that brought fewer than
/// rate × window bytes fails the download as <see cref="ScanFailureKind.Timeout"/>, naming the blob and the rate measured.
/// Only time inside reads counts, so a consumer busy unpacking or matching is never taken for a slow registry. A read that gets
/// nothing is cancelled when the first window it cannot satisfy any more ends: a per-read deadline, no timer of its own.
/// </summary>
internal sealed class MinimumThroughputStream(Stream inner, BlobThroughputOptions options, TimeProvider time, string what) : Stream
{
    private readonly TimeSpan _window = options.ThroughputWindow;
    private readonly long _required = (long)Math.Ceiling(options.MinimumThroughputBytesPerSecond * options.ThroughputWindow.TotalSeconds);

    /// <summary>Time spent waiting in reads since the current window began.</summary>
    private TimeSpan _waited;

    /// <summary>Bytes that arrived in the current window.</summary>
    private long _bytes;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>A synchronous read cannot be cancelled: its time is counted once it returns.</summary>
    public override int Read(Span<byte> buffer)
    {
        var started = time.GetTimestamp();
        var read = inner.Read(buffer);
        Account(read, time.GetElapsedTime(started));
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // This read may wait until the current window ends; when that window already has its bytes, until the next one ends
        // (bytes that arrive by then are the next window's, and it fails only at its end).
        var budget = _window - _waited + (_bytes >= _required ? _window : TimeSpan.Zero);
        using var deadline = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = time.GetTimestamp();
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _waited += time.GetElapsedTime(started);
            Roll();
            throw TooSlow(e); // the timer may fire a hair before the measured time reaches the window's end
        }
        Account(read, time.GetElapsedTime(started));
        return read;
    }

    private void Account(int read, TimeSpan waited)
    {
        // The end of the blob ends the measurement: everything arrived, however slowly the last window went.
        if (read == 0) return;
        _waited += waited;
        _bytes += read;
        Roll();
    }

    /// <summary>Closes every window the waiting has filled, failing on the first that brought too few bytes.</summary>
    private void Roll()
    {
        while (_waited >= _window)
        {
            if (_bytes < _required) throw TooSlow(null);
            _waited -= _window;
            _bytes = 0;
        }
    }

    private ScanException TooSlow(Exception? inner)
    {
        var seconds = Math.Max(_waited.TotalSeconds, 0.001);
        var rate = (_bytes / seconds).ToString("0.#", CultureInfo.InvariantCulture);
        var window = _window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return new ScanException(ScanFailureKind.Timeout,
            $"Downloading {what} was too slow: {rate} bytes/s ({_bytes} bytes in {seconds.ToString("0.###", CultureInfo.InvariantCulture)} s), " +
            $"below the minimum of {options.MinimumThroughputBytesPerSecond} bytes/s over {window} s; the scan was stopped.", inner);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
