using System.Formats.Tar;
using System.IO.Compression;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// Reads one layer blob as a stream (tar, or gzip- or zstd-compressed tar) and keeps only what the finders
/// want: wanted regular files (in memory, size-capped), symlinks at wanted paths, hard links to
/// wanted files of the same layer, and every whiteout. Nothing is written to disk and the layer
/// is never buffered whole.
/// </summary>
/// <remarks>
/// Paths are normalised to root-relative form: a leading "/" or "./" is dropped, "." and ".."
/// are collapsed. An entry whose name climbs above the root ("../../etc/passwd") or contains NUL
/// is dropped and counted in <see cref="LayerReadStats.UnsafeEntries"/>, never taken for a file
/// of the image. An absolute name ("/etc/passwd") is the image's own etc/passwd, as container
/// runtimes unpack it.
/// </remarks>
public sealed class LayerReader
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    /// <summary>Bytes allowed after the tar's end-of-archive and the gzip end (padding, trailing garbage).</summary>
    private const long MaxTrailingBytes = 1024 * 1024;

    private enum Compression { None, Gzip, Zstd }

    /// <summary>Whether a layer of this media type can be read; false for unknown types.</summary>
    public static bool IsSupported(string mediaType) => Classify(mediaType) is not null;

    /// <summary>Throws UnsupportedMediaType unless a layer of this media type can be read.</summary>
    public static void RequireSupported(string mediaType, string digest)
    {
        if (Classify(mediaType) is null) throw Unsupported(mediaType, digest);
    }

    public async Task<LayerFiles> ReadAsync(Stream blob, string mediaType, string digest, Func<string, bool> wants, LayerLimits limits, CancellationToken ct, IContentSniffer? sniffer = null) =>
        (await ReadWithStatsAsync(blob, mediaType, digest, wants, limits, ct, sniffer)).Files;

    /// <param name="sniffer">
    /// Optional: keeps regular files <paramref name="wants"/> rejects when their content is recognised (executables),
    /// each up to <see cref="LayerLimits.MaxSniffedFileBytes"/>; larger ones are skipped and counted.
    /// </param>
    /// <param name="budget">Optional: the budget of the whole image this layer belongs to (entries and kept bytes over all layers).</param>
    public async Task<LayerReadResult> ReadWithStatsAsync(Stream blob, string mediaType, string digest, Func<string, bool> wants, LayerLimits limits, CancellationToken ct,
        IContentSniffer? sniffer = null, ImageBudget? budget = null)
    {
        RequireSupported(mediaType, digest);
        var compressed = new MeteredStream(blob, long.MaxValue, null);
        var state = new State(digest, wants, limits, sniffer, budget);
        try
        {
            // Trust the bytes over the label, as container runtimes do: a "tar+gzip" layer that is a
            // plain tar is read as one, and so is a zstd frame under a gzip label.
            var head = new byte[4];
            var headLength = await ReadAtMostAsync(compressed, head, ct);
            head = head[..headLength];
            var actual = headLength == 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD ? Compression.Zstd
                : headLength >= 2 && head[0] == 0x1F && head[1] == 0x8B ? Compression.Gzip
                : Compression.None;

            Stream input = new PrefixedStream(head, compressed);
            Stream? decompressor = actual switch
            {
                Compression.Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
                Compression.Zstd => new ZstdSharp.DecompressionStream(input, leaveOpen: true),
                _ => null,
            };
            await using (decompressor)
            {
                var uncompressed = new MeteredStream(decompressor ?? input, limits.MaxUncompressedBytes,
                    () => new ScanException(ScanFailureKind.LayerTooLarge,
                        $"Layer {digest} unpacks to more than {limits.MaxUncompressedBytes} bytes (limit MaxUncompressedBytes); refusing it as a possible decompression bomb."));
                state.Uncompressed = uncompressed;
                // TarReader reads PAX and GNU long-name data whole: the guard refuses an oversized one before it is allocated.
                var guarded = new TarHeaderGuard(uncompressed, digest, limits.MaxHeaderBytes);
                await using (var tar = new TarReader(guarded, leaveOpen: true))
                {
                    while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
                        await state.AddAsync(entry, ct);
                }

                // Read past the end-of-archive blocks to the end of the gzip stream, then to the end of
                // the blob, so the gzip trailer is checked and a verifying blob stream sees its end.
                await DrainAsync(uncompressed, limits.MaxUncompressedBytes, digest, ct);
            }
            await DrainAsync(compressed, MaxTrailingBytes, digest, ct);
        }
        catch (ScanException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (OutOfMemoryException e)
        {
            // Whatever the limits missed, memory ran out on this layer's bytes: a property of the image, not worth a retry.
            throw new ScanException(ScanFailureKind.LayerTooLarge,
                $"Layer {digest} could not be read within the memory available (after {compressed.Count} compressed bytes); refusing it as too large.", e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ScanException(ScanFailureKind.CorruptLayer, $"Layer {digest} is nested too deeply to be read (after {compressed.Count} compressed bytes).", e);
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or InvalidDataException or EndOfStreamException or FormatException or OverflowException or ArgumentException or NotSupportedException || IsInflaterFailure(e))
        {
            throw new ScanException(ScanFailureKind.CorruptLayer,
                $"Layer {digest} is corrupt or truncated after {compressed.Count} compressed bytes: {e.Message}", e);
        }

        return new LayerReadResult(state.ToLayerFiles(), state.Stats(compressed.Count));
    }

    /// <summary>
    /// zlib reports some corrupt streams (one asking for a preset dictionary) as System.IO.Compression's internal ZLibException, an
    /// IOException: the layer's bytes are at fault. Other IOExceptions are the transport's and stay retryable.
    /// </summary>
    private static bool IsInflaterFailure(Exception e) => e is IOException && e.GetType().FullName == "System.IO.Compression.ZLibException";

    private static async Task DrainAsync(Stream stream, long max, string digest, CancellationToken ct)
    {
        var buffer = new byte[16384];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > max)
                throw new ScanException(ScanFailureKind.CorruptLayer, $"Layer {digest} has more than {max} bytes of data after the end of its tar archive.");
        }
    }

    private static async Task<int> ReadAtMostAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), ct);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    private static Compression? Classify(string mediaType) => mediaType switch
    {
        MediaTypes.OciLayerTar or MediaTypes.OciNonDistributableTar or MediaTypes.DockerLayerTar => Compression.None,
        MediaTypes.OciLayerGzip or MediaTypes.OciNonDistributableGzip or MediaTypes.DockerLayerGzip or MediaTypes.DockerForeignLayerGzip => Compression.Gzip,
        MediaTypes.OciLayerZstd or MediaTypes.OciNonDistributableZstd or MediaTypes.DockerLayerZstd => Compression.Zstd,
        _ => null,
    };

    private static ScanException Unsupported(string mediaType, string digest) =>
        new(ScanFailureKind.UnsupportedMediaType, $"Layer {digest} has media type '{Digests.Printable(mediaType)}', which is not a tar, gzip- or zstd-compressed tar layer.");

    /// <summary>
    /// Normalises a tar entry name to a root-relative path. False when the name climbs above the
    /// root or contains NUL; "" is the root itself.
    /// </summary>
    public static bool TryNormalise(string name, out string path)
    {
        path = "";
        if (name.Contains('\0')) return false;
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return false;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        path = string.Join('/', parts);
        return true;
    }

    /// <summary>What has been kept so far from one layer.</summary>
    private sealed class State(string digest, Func<string, bool> wants, LayerLimits limits, IContentSniffer? sniffer, ImageBudget? budget)
    {
        private readonly Dictionary<string, byte[]> files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> symlinks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> hardLinks = new(StringComparer.Ordinal);
        private readonly List<string> whiteouts = [];
        private readonly List<string> opaque = [];
        private long entries;
        private long keptBytes;
        private int unsafeEntries;
        private int unresolvedHardLinks;
        private int skippedSniffedFiles;

        public MeteredStream? Uncompressed { get; set; }

        public async Task AddAsync(TarEntry entry, CancellationToken ct)
        {
            if (++entries > limits.MaxEntries)
                throw new ScanException(ScanFailureKind.LayerTooLarge, $"Layer {digest} has more than {limits.MaxEntries} entries (limit MaxEntries).");
            budget?.AddEntry(digest);
            if (!TryNormalise(entry.Name, out var path))
            {
                unsafeEntries++;
                return;
            }
            if (path.Length == 0) return;

            var slash = path.LastIndexOf('/');
            var directory = slash < 0 ? "" : path[..slash];
            var name = slash < 0 ? path : path[(slash + 1)..];
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                if (name == OpaqueWhiteout) opaque.Add(directory);
                else if (!name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal) && name.Length > WhiteoutPrefix.Length)
                    whiteouts.Add(directory.Length == 0 ? name[WhiteoutPrefix.Length..] : $"{directory}/{name[WhiteoutPrefix.Length..]}");
                // Other ".wh..wh.*" names are AUFS bookkeeping with no meaning in an image.
                return;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (wants(path)) await KeepAsync(path, entry, ct);
                    else if (sniffer is not null) await SniffAsync(sniffer, path, entry, ct);
                    break;
                case TarEntryType.SymbolicLink:
                    if (!wants(path)) return;
                    if (entry.LinkName.Contains('\0')) { unsafeEntries++; return; }
                    files.Remove(path);
                    hardLinks.Remove(path);
                    symlinks[path] = entry.LinkName;
                    break;
                case TarEntryType.HardLink:
                    if (!wants(path)) return;
                    if (!TryNormalise(entry.LinkName, out var target)) { unsafeEntries++; return; }
                    if (files.TryGetValue(target, out var content))
                    {
                        symlinks.Remove(path);
                        hardLinks.Remove(path);
                        files[path] = content;
                    }
                    else if (symlinks.TryGetValue(target, out var linkTarget))
                    {
                        files.Remove(path);
                        hardLinks.Remove(path);
                        symlinks[path] = linkTarget;
                    }
                    else
                    {
                        // A link to a file of a lower layer: the unpacked image has that file under both names (ImageFiles).
                        unresolvedHardLinks++;
                        files.Remove(path);
                        symlinks.Remove(path);
                        hardLinks[path] = target;
                    }
                    break;
            }
        }

        private async Task KeepAsync(string path, TarEntry entry, CancellationToken ct)
        {
            var length = entry.Length;
            if (length > limits.MaxFileBytes)
                throw new ScanException(ScanFailureKind.LayerTooLarge,
                    $"Layer {digest} holds {path} of {length} bytes, more than the {limits.MaxFileBytes} allowed for one file (limit MaxFileBytes).");
            if (keptBytes + length > limits.MaxKeptBytes)
                throw new ScanException(ScanFailureKind.LayerTooLarge,
                    $"Layer {digest} holds more than {limits.MaxKeptBytes} bytes of wanted files (limit MaxKeptBytes).");
            budget?.Keep(digest, path, length);
            var content = new byte[length];
            if (length > 0)
            {
                var data = entry.DataStream ?? throw new InvalidDataException($"Entry {path} has no data.");
                await data.ReadExactlyAsync(content, ct);
            }
            keptBytes += length;
            symlinks.Remove(path);
            hardLinks.Remove(path);
            files[path] = content;
        }

        /// <summary>Peeks at an unwanted file's head and keeps it whole if the sniffer recognises it, within the sniffed-file limits.</summary>
        private async Task SniffAsync(IContentSniffer contentSniffer, string path, TarEntry entry, CancellationToken ct)
        {
            var length = entry.Length;
            if (length == 0 || entry.DataStream is not { } data) return;
            var head = new byte[Math.Min(length, IContentSniffer.HeadLength)];
            await data.ReadExactlyAsync(head, ct);
            if (!contentSniffer.WantsContent(path, head)) return;
            if (length > limits.MaxSniffedFileBytes || keptBytes + length > limits.MaxKeptBytes || budget?.TryKeep(length) == false)
            {
                skippedSniffedFiles++;
                return;
            }
            var content = new byte[length];
            head.CopyTo(content, 0);
            await data.ReadExactlyAsync(content.AsMemory(head.Length), ct);
            if (!contentSniffer.KeepsContent(path, content)) return;
            keptBytes += length;
            symlinks.Remove(path);
            hardLinks.Remove(path);
            files[path] = content;
        }

        public LayerFiles ToLayerFiles() => new()
        {
            Digest = digest,
            Files = files,
            Symlinks = symlinks,
            HardLinks = hardLinks,
            Whiteouts = whiteouts,
            OpaqueDirectories = opaque,
        };

        public LayerReadStats Stats(long compressedBytes) => new()
        {
            CompressedBytes = compressedBytes,
            UncompressedBytes = Uncompressed?.Count ?? 0,
            Entries = entries,
            KeptFiles = files.Count,
            KeptBytes = keptBytes,
            UnsafeEntries = unsafeEntries,
            UnresolvedHardLinks = unresolvedHardLinks,
            SkippedSniffedFiles = skippedSniffedFiles,
        };
    }
}
