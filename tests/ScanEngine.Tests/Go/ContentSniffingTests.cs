using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using static ImageScanning.ScanEngine.Tests.Images.LayerReaderTests;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>The layer reader keeping executables by content (real Debian binaries), and the ELF reader on broken input.</summary>
[TestFixture]
public sealed class ContentSniffingTests
{
    private const string Digest = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    private static readonly LayerReader Reader = new();
    private static readonly Func<string, bool> WantsEtc = p => p.StartsWith("etc/", StringComparison.Ordinal);
    private static readonly byte[] GoBinary = File.ReadAllBytes("/usr/bin/umoci");
    private static readonly byte[] OtherElf = File.ReadAllBytes("/usr/bin/objcopy");

    private static byte[] Layer() => Tar(t =>
    {
        t.File("etc/os-release", "ID=debian\n");
        t.File("opt/tools/umoci", GoBinary);
        t.File("usr/bin/objcopy", OtherElf);
        t.File("usr/local/bin/start.sh", "#!/bin/sh\nexec umoci\n");
        t.File("usr/share/doc/empty", "");
    });

    [Test]
    public async Task A_go_binary_outside_wanted_paths_is_kept_other_files_are_not()
    {
        var result = await Reader.ReadWithStatsAsync(new MemoryStream(Layer()), MediaTypes.OciLayerTar, Digest, WantsEtc, LayerLimits.Default,
            CancellationToken.None, ContentSniffers.Of([new GoBinaryFinder()]));

        Assert.That(result.Files.Files.Keys, Is.EquivalentTo(new[] { "etc/os-release", "opt/tools/umoci" }));
        Assert.That(result.Files.Files["opt/tools/umoci"], Is.EqualTo(GoBinary));
        Assert.That(result.Stats.KeptBytes, Is.EqualTo(GoBinary.Length + "ID=debian\n".Length));
        Assert.That(result.Stats.SkippedSniffedFiles, Is.Zero);
    }

    [Test]
    public async Task Without_a_sniffer_only_wanted_paths_are_kept()
    {
        var files = await Reader.ReadAsync(new MemoryStream(Layer()), MediaTypes.OciLayerTar, Digest, WantsEtc, LayerLimits.Default, CancellationToken.None);
        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "etc/os-release" }));
    }

    [Test]
    public async Task An_executable_over_the_sniff_limit_is_skipped_and_counted_not_an_error()
    {
        var limits = LayerLimits.Default with { MaxSniffedFileBytes = GoBinary.Length - 1 };

        var result = await Reader.ReadWithStatsAsync(new MemoryStream(Layer()), MediaTypes.OciLayerTar, Digest, WantsEtc, limits,
            CancellationToken.None, ContentSniffers.Of([new GoBinaryFinder()]));

        Assert.That(result.Files.Files.Keys, Is.EquivalentTo(new[] { "etc/os-release" }));
        Assert.That(OtherElf, Has.Length.LessThan(limits.MaxSniffedFileBytes));
        Assert.That(result.Stats.SkippedSniffedFiles, Is.EqualTo(1), "umoci; objcopy, under the limit, is read and dropped as not Go");
    }

    [Test]
    public void Finders_that_do_not_sniff_give_no_sniffer()
    {
        Assert.That(ContentSniffers.Of([new CargoLockFinder()]), Is.Null);
        Assert.That(ContentSniffers.Of([new CargoLockFinder(), new GoBinaryFinder()]), Is.Not.Null);
    }

    [Test]
    public void Truncated_binaries_read_as_not_go_without_throwing()
    {
        var info = GoBuildInfo.TryRead(GoBinary)!;
        var section = ElfFile.TryParse(GoBinary)!.FindSection(".go.buildinfo")!.Value;
        foreach (var length in new[] { 0, 3, 4, 51, 52, 63, 64, 4096, (int)section.Offset + 20, (int)section.Offset + 40, GoBinary.Length - 1 })
            Assert.That(() => GoBuildInfo.TryRead(GoBinary[..length]), Throws.Nothing, $"cut at {length}");
        Assert.That(GoBuildInfo.TryRead(GoBinary[..4096]), Is.Null, "cut before any build info");
        // With the header cut, the runtime's framed copy of the module info (in .rodata, before it) still reads.
        var cutHeader = GoBuildInfo.TryRead(GoBinary[..((int)section.Offset + 20)]);
        Assert.That(cutHeader, Is.Not.Null, "the header is cut");
        Assert.That((cutHeader!.GoVersion, cutHeader.MainPackage, cutHeader.MainModule, cutHeader.Dependencies.Count),
            Is.EqualTo((info.GoVersion, info.MainPackage, info.MainModule, info.Dependencies.Count)));
        Assert.That(info.GoVersion, Does.StartWith("go1."));
    }

    [Test]
    public void Corrupt_headers_and_lengths_read_as_not_go_without_throwing()
    {
        var section = ElfFile.TryParse(GoBinary)!.FindSection(".go.buildinfo")!.Value;
        // Every byte of the ELF header, and the inline string lengths, set to 0xFF in turn.
        foreach (var at in Enumerable.Range(4, 60).Append((int)section.Offset + 32).Append((int)section.Offset + 33))
        {
            var corrupt = (byte[])GoBinary.Clone();
            corrupt[at] = 0xFF;
            Assert.That(() => GoBuildInfo.TryRead(corrupt), Throws.Nothing, $"byte {at}");
        }
        var longVersion = (byte[])GoBinary.Clone();
        longVersion[(int)section.Offset + 32] = 0xFF; // a varint that claims more bytes than the section holds
        longVersion[(int)section.Offset + 33] = 0xFF;
        Assert.That(GoBuildInfo.TryRead(longVersion), Is.Null);
    }
}
