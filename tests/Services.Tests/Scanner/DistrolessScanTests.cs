using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// The scanner as its host wires it, on a distroless-like image (a Debian 12 os-release, a Python dist-info, no dpkg status)
/// served from 127.0.0.1: ENHANCED completes with the Python package and a warning naming the missing OS database;
/// BASIC fails UNSUPPORTED_IMAGE with the reason naming it, as ECR's basic scanning does.
/// </summary>
[NonParallelizable]
public sealed class DistrolessScanTests
{
    private const string Repository = "team/distroless";

    [Test]
    public async Task Enhanced_completes_with_the_language_packages_and_a_warning_and_basic_is_unsupported()
    {
        await using var registry = await CraftedRegistry.StartAsync(Repository, [DistrolessLayer()]);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url);

        var enhanced = await scanner.ScanAsync(Repository, registry.ManifestDigest, scanType: ScanType.ENHANCED);
        await scanner.Results.WaitForAsync(enhanced.ScanId, TimeSpan.FromSeconds(60));
        var basic = await scanner.ScanAsync(Repository, registry.ManifestDigest, scanType: ScanType.BASIC);
        await scanner.Results.WaitForAsync(basic.ScanId, TimeSpan.FromSeconds(60));

        var scanned = scanner.Results.Of<ImageScanned>(enhanced.ScanId).Single();
        var failed = scanner.Results.Of<ImageScanFailed>(basic.ScanId).Single();
        Assert.Multiple(() =>
        {
            Assert.That(scanned.OperatingSystem?.Id, Is.EqualTo("debian"));
            Assert.That(scanned.Packages.Select(p => (p.Name, p.Version)), Is.EqualTo(new[] { ("requests", "2.31.0") }));
            Assert.That(scanned.Warnings?.Select(w => w.Path), Is.EqualTo(new[] { "var/lib/dpkg/status" }));
            Assert.That(scanned.Warnings?.Single().Reason, Does.Contain("OS packages were not inventoried"));
            Assert.That(failed.Reason, Is.EqualTo(ScanFailureReason.UNSUPPORTED_IMAGE));
            Assert.That(failed.Message, Does.Contain("no OS package database (var/lib/dpkg/status) was found"));
        });
    }

    private static byte[] DistrolessLayer()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            void File(string path, string content) =>
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.ASCII.GetBytes(content)) });
            File("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "var/lib/dpkg/status.d/"));
            File("usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n");
        }
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(tar.ToArray());
        return output.ToArray();
    }
}
