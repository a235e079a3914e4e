using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// Tar metadata entries that TarReader reads whole (PAX 'x'/'g', GNU 'L'/'K') are refused above LayerLimits.MaxHeaderBytes
/// before their data is read, and the guard that does it follows the tar structure as TarReader does: base-256 sizes, PAX size
/// overrides, padding. The hostile layers declare gigabytes but are produced lazily, so nothing large is held or committed.
/// </summary>
[NonParallelizable] // measures the process's peak memory
public sealed class TarHeaderLimitTests
{
    private const string Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const long TwoGigabytes = 2_000_000_000;
    private static readonly LayerReader Reader = new();

    [Test]
    public void A_PAX_header_declaring_2_GB_fails_the_layer_before_it_is_read_and_memory_stays_low()
    {
        var layer = new LazyZerosStream(RawTar.Header("PaxHeaders/x", 'x', RawTar.Octal(TwoGigabytes)), TwoGigabytes + 1024);
        PeakMemory.Reset();

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(layer, MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Is.EqualTo(
            $"Layer {Digest} has a PAX extended header of 2000000000 bytes at entry 1, more than the 1048576 allowed (limit MaxHeaderBytes)."));
        Assert.That(layer.BytesRead, Is.LessThan(1024 * 1024), "refused at its header, not after reading the record");
        var peak = PeakMemory.SinceResetBytes();
        TestContext.Out.WriteLine($"peak RSS since reset: {peak / (1024 * 1024)} MiB");
        Assert.That(peak, Is.LessThan(1024L * 1024 * 1024), "no 2 GB buffer was allocated (VmHWM of this process)");
    }

    [TestCase('L', "a GNU long name")]
    [TestCase('K', "a GNU long link name")]
    [TestCase('g', "a PAX global extended header")]
    public void Other_metadata_entries_over_the_limit_fail_the_gzip_layer_naming_the_entry(char type, string described)
    {
        // A small file first, so the oversized header is entry 2; the declared 2 GB are 8 MiB of zeros in the gzip, then it ends.
        var tar = new RawTar().File("etc/hostname", "box\n").Header("././@LongLink", type, TwoGigabytes).Raw(new byte[8 * 1024 * 1024]).ToArray();
        var gzip = LayerReaderTests.Gzip(tar);

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(gzip, MediaTypes.OciLayerGzip, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Is.EqualTo($"Layer {Digest} has {described} of 2000000000 bytes at entry 2, more than the 1048576 allowed (limit MaxHeaderBytes)."));
    }

    [Test]
    public void A_base_256_size_is_read_as_TarReader_reads_it()
    {
        var layer = new LazyZerosStream(RawTar.Header("PaxHeaders/x", 'x', RawTar.Base256(3L * 1024 * 1024 * 1024)), 1024);

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(layer, MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("a PAX extended header of 3221225472 bytes at entry 1"));
    }

    [Test]
    public async Task Files_with_base_256_sizes_are_skipped_over_to_the_next_header()
    {
        // The data of the first file looks like a hostile header: a guard that misread the size would stop on it.
        var decoy = RawTar.Header("decoy", 'x', RawTar.Octal(TwoGigabytes)).Concat(Encoding.ASCII.GetBytes("tail")).ToArray();
        var tar = new RawTar().Entry("etc/first", '0', RawTar.Base256(decoy.Length), decoy).File("etc/after", "after\n").End().ToArray();

        var files = await Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None);

        Assert.That(files.Files["etc/first"], Is.EqualTo(decoy));
        Assert.That(Encoding.ASCII.GetString(files.Files["etc/after"]), Is.EqualTo("after\n"));
    }

    [Test]
    public async Task A_PAX_size_record_overrides_the_size_field_of_the_next_header()
    {
        // The header says 0 bytes, the PAX record 1024: TarReader reads 1024 bytes of data, which hold a decoy header.
        var decoy = RawTar.Header("decoy", 'x', RawTar.Octal(TwoGigabytes)).Concat(new byte[512]).ToArray();
        var tar = new RawTar().Pax(("size", "1024")).Header("etc/big", '0', 0).Data(decoy).File("etc/after", "after\n").End().ToArray();

        var files = await Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None);

        Assert.That(files.Files["etc/big"], Is.EqualTo(decoy));
        Assert.That(Encoding.ASCII.GetString(files.Files["etc/after"]), Is.EqualTo("after\n"));
    }

    [Test]
    public void A_PAX_size_record_that_makes_the_next_metadata_entry_too_large_is_refused()
    {
        var tar = new RawTar().Pax(("size", TwoGigabytes.ToString())).Header("././@LongLink", 'L', 16).Raw(new byte[4096]).ToArray();

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("a GNU long name of 2000000000 bytes at entry 2"));
    }

    [Test]
    public async Task Long_names_in_GNU_and_PAX_tars_within_the_limit_are_read()
    {
        var longName = "usr/lib/" + string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 12)) + "/etc-file";
        foreach (var format in new[] { TarEntryFormat.Gnu, TarEntryFormat.Pax })
        {
            var stream = new MemoryStream();
            using (var writer = new TarWriter(stream, format, leaveOpen: true))
            {
                TarEntry entry = format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.RegularFile, longName) : new PaxTarEntry(TarEntryType.RegularFile, longName);
                entry.DataStream = new MemoryStream("long\n"u8.ToArray());
                writer.WriteEntry(entry);
                TarEntry link = format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.SymbolicLink, "etc/link") : new PaxTarEntry(TarEntryType.SymbolicLink, "etc/link");
                link.LinkName = "/" + longName;
                writer.WriteEntry(link);
                writer.WriteEntry(format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.RegularFile, "etc/after") { DataStream = new MemoryStream("after\n"u8.ToArray()) }
                    : new PaxTarEntry(TarEntryType.RegularFile, "etc/after") { DataStream = new MemoryStream("after\n"u8.ToArray()) });
            }

            var files = await Reader.ReadAsync(LayerReaderTests.Gzip(stream.ToArray()), MediaTypes.OciLayerGzip, Digest, _ => true, LayerLimits.Default, CancellationToken.None);

            Assert.That(Encoding.ASCII.GetString(files.Files[longName]), Is.EqualTo("long\n"), format.ToString());
            Assert.That(files.Symlinks["etc/link"], Is.EqualTo("/" + longName), format.ToString());
            Assert.That(files.Files.ContainsKey("etc/after"), format.ToString());
        }
    }

    [Test]
    public async Task The_limit_is_a_setting()
    {
        var records = RawTar.PaxRecords(("path", "etc/" + new string('p', 3000)));
        var tar = new RawTar().Raw(RawTar.Header("PaxHeaders/x", 'x', RawTar.Octal(records.Length))).Data(records).File("ignored", "x\n").End().ToArray();

        var files = await Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None);
        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/" + new string('p', 3000) }));

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true,
            LayerLimits.Default with { MaxHeaderBytes = 2048 }, CancellationToken.None));
        Assert.That(e!.Message, Is.EqualTo($"Layer {Digest} has a PAX extended header of {records.Length} bytes at entry 1, more than the 2048 allowed (limit MaxHeaderBytes)."));
    }

    [Test]
    public void A_directory_whose_size_hides_a_header_is_not_read_past_the_guard()
    {
        // Entries without data must have size 0; TarReader refuses one that has data instead of reading it as headers.
        var hidden = RawTar.Header("hidden", 'x', RawTar.Octal(TwoGigabytes));
        var tar = new RawTar().Entry("etc/dir/", '5', hidden).Raw(new byte[1024 * 1024]).ToArray();

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new MemoryStream(tar), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer).Or.EqualTo(ScanFailureKind.LayerTooLarge));
    }

    [Test]
    public void Running_out_of_memory_in_a_layer_is_a_LayerTooLarge_failure_naming_it()
    {
        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(new OutOfMemoryStream(), MediaTypes.OciLayerTar, Digest, _ => true, LayerLimits.Default, CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Does.StartWith($"Layer {Digest} could not be read within the memory available"));
    }

    /// <summary>A blob whose reading runs out of memory, as an allocation deep in a decoder would.</summary>
    private sealed class OutOfMemoryStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new OutOfMemoryException();
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new OutOfMemoryException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The peak resident memory of this process, from /proc (VmHWM), since the last reset (clear_refs 5).</summary>
internal static class PeakMemory
{
    public static void Reset() => File.WriteAllText("/proc/self/clear_refs", "5");

    public static long SinceResetBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
    }
}
