using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>The layer reader on layers built in memory, hostile ones included.</summary>
public sealed class LayerReaderTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static readonly LayerReader Reader = new();
    private static readonly Func<string, bool> WantsEtcAndDpkg = p => p.StartsWith("etc/", StringComparison.Ordinal) || p.StartsWith("var/lib/dpkg/", StringComparison.Ordinal);

    [Test]
    public async Task Keeps_wanted_files_and_links_and_every_whiteout()
    {
        var layer = Tar(t =>
        {
            t.Directory("etc");
            t.File("etc/os-release.real", "ID=debian\n");
            t.Symlink("etc/os-release", "os-release.real");
            t.File("usr/bin/tool", "binary");
            t.Symlink("usr/bin/alias", "tool");
            t.File("var/lib/dpkg/status", "Package: x\n");
            t.File("etc/.wh.removed.conf", "");
            t.File(".wh.opt", "");
            t.File("var/lib/.wh..wh..opq", "");
            t.File("etc/.wh..wh.plnk", "");
        });

        var result = await Reader.ReadWithStatsAsync(Gzip(layer), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None);
        var files = result.Files;

        Assert.That(files.Digest, Is.EqualTo(Digest));
        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/os-release.real", "var/lib/dpkg/status" }));
        Assert.That(Encoding.UTF8.GetString(files.Files["var/lib/dpkg/status"]), Is.EqualTo("Package: x\n"));
        Assert.That(files.Symlinks, Is.EquivalentTo(new Dictionary<string, string> { ["etc/os-release"] = "os-release.real" }));
        Assert.That(files.Whiteouts, Is.EquivalentTo(new[] { "etc/removed.conf", "opt" }));
        Assert.That(files.OpaqueDirectories, Is.EquivalentTo(new[] { "var/lib" }));
        Assert.That(result.Stats.Entries, Is.EqualTo(10));
        Assert.That(result.Stats.KeptFiles, Is.EqualTo(2));
        Assert.That(result.Stats.UncompressedBytes, Is.EqualTo(layer.Length));
        Assert.That(result.Stats.CompressedBytes, Is.GreaterThan(0).And.LessThan(layer.Length));
    }

    [Test]
    public async Task Reads_uncompressed_layers_and_trusts_the_bytes_over_a_gzip_label()
    {
        var layer = Tar(t => t.File("etc/hostname", "box\n"));
        foreach (var mediaType in new[] { MediaTypes.OciLayerTar, MediaTypes.OciNonDistributableTar, MediaTypes.OciLayerGzip, MediaTypes.DockerLayerGzip })
        {
            var files = await Reader.ReadAsync(new MemoryStream(layer), mediaType, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None);
            Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/hostname" }), mediaType);
        }
        foreach (var mediaType in new[] { MediaTypes.OciNonDistributableGzip, MediaTypes.DockerForeignLayerGzip })
        {
            var files = await Reader.ReadAsync(Gzip(layer), mediaType, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None);
            Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/hostname" }), mediaType);
        }
    }

    [Test]
    public async Task Resolves_hard_links_to_wanted_files_of_the_same_layer()
    {
        var layer = Tar(t =>
        {
            t.File("etc/original", "shared content");
            t.HardLink("etc/linked", "etc/original");
            t.File("usr/unwanted", "x");
            t.HardLink("etc/to-unwanted", "usr/unwanted");
        });

        var result = await Reader.ReadWithStatsAsync(Gzip(layer), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None);

        Assert.That(Encoding.UTF8.GetString(result.Files.Files["etc/linked"]), Is.EqualTo("shared content"));
        Assert.That(result.Files.Files.ContainsKey("etc/to-unwanted"), Is.False);
        Assert.That(result.Files.HardLinks["etc/to-unwanted"], Is.EqualTo("usr/unwanted"), "resolved in the image's tree, where a lower layer may hold it");
        Assert.That(result.Stats.UnresolvedHardLinks, Is.EqualTo(1));
    }

    [Test]
    public async Task Never_takes_an_escaping_or_NUL_name_for_a_file_of_the_image()
    {
        var layer = Tar(t =>
        {
            t.File("../../etc/passwd", "escaped");
            t.File("etc/../../etc/shadow", "escaped");
            t.File("etc/passwd\0.txt", "nul");
            t.Symlink("../etc/group", "/etc/shadow");
            t.HardLink("etc/hard", "../../etc/passwd");
            t.File("../.wh.etc", "");
            t.File("/etc/absolute", "rooted in the image");
            t.File("./etc/dotted", "dotted");
            t.File("etc/sub/../collapsed", "collapsed");
        });

        var result = await Reader.ReadWithStatsAsync(Gzip(layer), MediaTypes.OciLayerGzip, Digest, _ => true, LayerLimits.Default, CancellationToken.None);
        var files = result.Files;

        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/absolute", "etc/dotted", "etc/collapsed" }));
        Assert.That(files.Files.Values.Select(Encoding.UTF8.GetString), Has.None.EqualTo("escaped").And.None.EqualTo("nul"));
        Assert.That(files.Symlinks, Is.Empty);
        Assert.That(files.Whiteouts, Is.Empty);
        Assert.That(result.Stats.UnsafeEntries, Is.EqualTo(6));
        Assert.That(new ImageFiles([files]).Final.TryGet("etc/passwd", out _), Is.False);
    }

    [TestCase("../../etc/passwd", null)]
    [TestCase("/etc/passwd", "etc/passwd")]
    [TestCase("./etc/passwd", "etc/passwd")]
    [TestCase("etc//x/./y/../passwd", "etc/x/passwd")]
    [TestCase("etc/../..", null)]
    [TestCase("./", "")]
    [TestCase("a\0b", null)]
    public void Normalises_names_without_ever_leaving_the_root(string name, string? expected)
    {
        var ok = LayerReader.TryNormalise(name, out var path);
        Assert.That(ok ? path : null, Is.EqualTo(expected));
    }

    [Test]
    public void Truncated_gzip_is_a_corrupt_layer_named_by_its_digest()
    {
        var gz = Gzip(Tar(t => { for (var i = 0; i < 20; i++) t.File($"etc/f{i}", RandomText(i, 4000)); })).ToArray();
        var truncated = gz[..(gz.Length / 2)];

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(truncated), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
        Assert.That(e.Message, Does.Contain(Digest));
    }

    [Test]
    public void A_gzip_with_a_bad_checksum_or_garbage_is_a_corrupt_layer()
    {
        var gz = Gzip(Tar(t => t.File("etc/a", "aaaa"))).ToArray();
        gz[^6] ^= 0xFF; // CRC32 in the gzip trailer
        var bad = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(gz), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None));
        Assert.That(bad!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));

        var garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not a tar archive at all. ", 40)));
        var notTar = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(garbage), MediaTypes.OciLayerTar, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None));
        Assert.That(notTar!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
    }

    [Test]
    public void A_truncated_plain_tar_is_a_corrupt_layer()
    {
        var tar = Tar(t => t.File("etc/big", RandomText(1, 10000)));
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(tar[..3000]), MediaTypes.OciLayerTar, Digest, WantsEtcAndDpkg, LayerLimits.Default, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
    }

    [Test]
    public void A_gzip_bomb_stops_at_the_uncompressed_limit()
    {
        // 64 MiB of zeros compresses to about 64 KiB.
        var bomb = new MemoryStream();
        using (var gzip = new GZipStream(bomb, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "zeros") { DataStream = new ZeroStream(64L * 1024 * 1024) });
        bomb.Position = 0;
        Assert.That(bomb.Length, Is.LessThan(1024 * 1024));
        var counting = new EndTrackingStream(bomb);

        var limits = LayerLimits.Default with { MaxUncompressedBytes = 8 * 1024 * 1024 };
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(counting, MediaTypes.OciLayerGzip, Digest, _ => false, limits, CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Does.Contain("MaxUncompressedBytes").And.Contain(Digest));
        Assert.That(counting.ReachedEnd, Is.False, "reading stopped at the limit");
    }

    [Test]
    public async Task A_wanted_file_over_the_file_limit_fails_the_layer_and_an_unwanted_one_is_skipped()
    {
        var layer = Gzip(Tar(t =>
        {
            t.File("usr/share/big.bin", RandomText(2, 300_000));
            t.File("var/lib/dpkg/status", RandomText(3, 200_000));
        })).ToArray();
        var limits = LayerLimits.Default with { MaxFileBytes = 100_000 };

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(layer), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, limits, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Does.Contain("var/lib/dpkg/status").And.Contain("MaxFileBytes"));

        // Only wanted files count against the file limit.
        var files = await Reader.ReadAsync(new MemoryStream(layer), MediaTypes.OciLayerGzip, Digest, p => p == "etc/none", limits, CancellationToken.None);
        Assert.That(files.Files, Is.Empty);
    }

    [Test]
    public void Too_many_entries_or_kept_bytes_fail_the_layer()
    {
        var many = Gzip(Tar(t => { for (var i = 0; i < 50; i++) t.File($"etc/f{i}", "x"); })).ToArray();
        var entries = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(many), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default with { MaxEntries = 10 }, CancellationToken.None));
        Assert.That(entries!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(entries.Message, Does.Contain("MaxEntries"));

        var kept = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(many), MediaTypes.OciLayerGzip, Digest, WantsEtcAndDpkg, LayerLimits.Default with { MaxKeptBytes = 20 }, CancellationToken.None));
        Assert.That(kept!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(kept.Message, Does.Contain("MaxKeptBytes"));
    }

    [TestCase("application/vnd.oci.image.layer.v1.tar+bzip2")]
    [TestCase("application/vnd.example.sbom+json")]
    [TestCase("")]
    public void Unknown_media_types_are_unsupported(string mediaType)
    {
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(Gzip(Tar(t => t.File("etc/a", "a"))), mediaType, Digest, _ => true, LayerLimits.Default, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedMediaType));
        Assert.That(LayerReader.IsSupported(mediaType), Is.False);
    }

    [TestCase(MediaTypes.OciLayerZstd)]
    [TestCase(MediaTypes.OciNonDistributableZstd)]
    [TestCase(MediaTypes.DockerLayerZstd)]
    [TestCase(MediaTypes.OciLayerGzip)]
    public async Task Zstd_layers_are_read_whatever_their_label_says(string mediaType)
    {
        var files = await Reader.ReadAsync(Zstd(Tar(t => t.File("etc/os-release", "ID=debian\n"))), mediaType, Digest, _ => true, LayerLimits.Default, CancellationToken.None);

        Assert.That(System.Text.Encoding.UTF8.GetString(files.Files["etc/os-release"]), Is.EqualTo("ID=debian\n"));
    }

    [Test]
    public void A_truncated_zstd_layer_is_corrupt()
    {
        var whole = Zstd(Tar(t => t.File("etc/os-release", new string('x', 100_000)))).ToArray();
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(whole[..(whole.Length / 2)]), MediaTypes.OciLayerZstd, Digest, _ => true, LayerLimits.Default, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
    }

    [Test]
    public void A_zstd_bomb_is_refused()
    {
        var bomb = Zstd(Tar(t => t.File("zeros", new byte[32 * 1024 * 1024])));
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(bomb, MediaTypes.OciLayerZstd, Digest, _ => false, LayerLimits.Default with { MaxUncompressedBytes = 4 * 1024 * 1024 }, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
    }

    private static MemoryStream Zstd(byte[] tar)
    {
        var output = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(output, level: 3, leaveOpen: true)) zstd.Write(tar);
        output.Position = 0;
        return output;
    }

    [Test]
    public async Task Reads_the_blob_to_its_end_so_a_verifying_stream_sees_the_end()
    {
        // GNU tar pads to 10 KiB records: the end-of-archive is followed by zeros the tar reader never asks for.
        var tar = Tar(t => t.File("etc/a", "a")).Concat(new byte[8192]).ToArray();
        var blob = new EndTrackingStream(Gzip(tar));
        await Reader.ReadAsync(blob, MediaTypes.OciLayerGzip, Digest, _ => true, LayerLimits.Default, CancellationToken.None);
        Assert.That(blob.ReachedEnd, Is.True);
    }

    [Test]
    public async Task Later_entries_of_the_same_path_win_within_a_layer()
    {
        var layer = Tar(t =>
        {
            t.File("etc/x", "first");
            t.Symlink("etc/x", "elsewhere");
            t.Symlink("etc/y", "elsewhere");
            t.File("etc/y", "second");
        });
        var files = await Reader.ReadAsync(new MemoryStream(layer), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None);
        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/y" }));
        Assert.That(files.Symlinks.Keys, Is.EquivalentTo(new[] { "etc/x" }));
    }

    // ---- helpers ----

    internal sealed class TarBuilder(TarWriter writer)
    {
        public void File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

        public void File(string name, byte[] content) =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

        public void Directory(string name) => writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name));

        public void Symlink(string name, string target) => writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

        public void HardLink(string name, string target) => writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });
    }

    internal static byte[] Tar(Action<TarBuilder> build)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
            build(new TarBuilder(writer));
        return stream.ToArray();
    }

    internal static MemoryStream Gzip(byte[] data, CompressionLevel level = CompressionLevel.Fastest)
    {
        var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, level, leaveOpen: true))
            gzip.Write(data);
        stream.Position = 0;
        return stream;
    }

    private static string RandomText(int seed, int length)
    {
        var random = new Random(seed);
        return new string(Enumerable.Range(0, length).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
    }

    /// <summary>Zeros up to a length, without allocating them (seekable, as TarWriter wants for an unseekable archive).</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => position; set => position = value; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Max(0, Math.Min(count, length - position));
            Array.Clear(buffer, offset, n);
            position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Records whether a reader asked past the last byte.</summary>
    internal sealed class EndTrackingStream(Stream inner) : Stream
    {
        public bool ReachedEnd { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Track(inner.Read(buffer, offset, count), count);
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Track(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);
        private int Track(int read, int asked)
        {
            if (read == 0 && asked > 0) ReachedEnd = true;
            return read;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
