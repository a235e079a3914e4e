using System.IO.Compression;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.BZip2;

namespace ImageScanning.ScanEngine.Advisories.Sources;

/// <summary>How a feed document is compressed, told by its first bytes.</summary>
public enum FeedCompressionKind { None, Gzip, Bzip2 }

/// <summary>
/// Vendor feeds come compressed the way their vendor serves them: gzip (a yum repository's updateinfo.xml.gz) or bzip2
/// (Oracle's OVAL, com.oracle.elsa-all.xml.bz2). bzip2 is SharpZipLib's decoder (.NET has none); its errors, like
/// gzip's, surface as <see cref="InvalidDataException"/>, so a reader has one kind of "damaged input" to report.
/// </summary>
public static class FeedCompression
{
    /// <summary>Bytes <see cref="Of"/> needs.</summary>
    public const int MagicLength = 3;

    public static FeedCompressionKind Of(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => FeedCompressionKind.Gzip,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => FeedCompressionKind.Bzip2,
        _ => FeedCompressionKind.None,
    };

    /// <summary>The decompressed content (the stream itself when it is not compressed).</summary>
    public static Stream Decompress(Stream content, FeedCompressionKind kind, bool leaveOpen = false) => kind switch
    {
        FeedCompressionKind.Gzip => new GZipStream(content, CompressionMode.Decompress, leaveOpen),
        FeedCompressionKind.Bzip2 => new InvalidDataOnError(() => new BZip2InputStream(content) { IsStreamOwner = !leaveOpen }),
        _ => content,
    };

    /// <summary>Reads the first bytes of a seekable stream, rewinds it, and decompresses what they say.</summary>
    public static Stream DecompressSniffed(Stream seekable, bool leaveOpen = false)
    {
        Span<byte> head = stackalloc byte[MagicLength];
        var read = seekable.ReadAtLeast(head, MagicLength, throwOnEndOfStream: false);
        seekable.Position -= read;
        return Decompress(seekable, Of(head[..read]), leaveOpen);
    }

    /// <summary>
    /// SharpZipLib's decoder, its exceptions as <see cref="InvalidDataException"/> (as GZipStream throws). Made on the first read:
    /// its constructor already decodes the first block.
    /// </summary>
    private sealed class InvalidDataOnError(Func<Stream> open) : ImageScanning.ScanEngine.Images.ForwardReadStream
    {
        private Stream? inner;

                    
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                inner ??= open();
                return inner.Read(buffer, offset, count);
            }
            catch (Exception e) when (e is SharpZipBaseException or IndexOutOfRangeException or EndOfStreamException)
            {
                throw new InvalidDataException($"The bzip2 stream is damaged: {e.Message}", e);
            }
        }

                
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner?.Dispose();
            base.Dispose(disposing);
        }
    }
}
