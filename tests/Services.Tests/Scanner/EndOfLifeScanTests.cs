using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// The scanner as its host wires it, on a Debian 10 (buster) image served from 127.0.0.1: the scan's OS carries the release's end
/// of life and, the release being past it, Trivy's warning; an endoflife.date file in Scanning:EndOfLifeFeedDirectory replaces the
/// code's date.
/// </summary>
[NonParallelizable]
public sealed class EndOfLifeScanTests
{
    private const string Repository = "team/buster";

    [Test]
    public async Task An_end_of_life_base_image_says_so()
    {
        await using var registry = await CraftedRegistry.StartAsync(Repository, [BusterLayer()]);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url);

        var scan = await scanner.ScanAsync(Repository, registry.ManifestDigest, scanType: ScanType.BASIC);
        await scanner.Results.WaitForAsync(scan.ScanId, TimeSpan.FromSeconds(60));

        var scanned = scanner.Results.Of<ImageScanned>(scan.ScanId).Single();
        Assert.Multiple(() =>
        {
            Assert.That(scanned.OperatingSystem, Is.EqualTo(new OperatingSystemInfo("debian", "10", "Debian GNU/Linux 10 (buster)", new DateOnly(2024, 6, 30))));
            Assert.That(scanned.Packages.Select(p => p.Name), Is.EqualTo(new[] { "base-files" }));
            Assert.That(scanned.Warnings, Is.EqualTo(new[]
            {
                new ScanWarningRecord("etc/os-release", "This OS version is no longer supported by the distribution: debian 10. "
                    + "The vulnerability detection may be insufficient because security updates are not provided"),
            }));
        });
    }

    [Test]
    public async Task A_feed_file_replaces_the_codes_date()
    {
        var feed = Directory.CreateTempSubdirectory("eol-feed-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(feed.FullName, "debian.json"),
                """[{"cycle":"10","codename":"Buster","releaseDate":"2019-07-06","eol":"2022-09-10","extendedSupport":"2099-06-30"}]""");
            await using var registry = await CraftedRegistry.StartAsync(Repository, [BusterLayer()]);
            await using var scanner = await ScannerTestHost.StartAsync(registry.Url,
                new Dictionary<string, string?> { ["Scanning:EndOfLifeFeedDirectory"] = feed.FullName });

            var scan = await scanner.ScanAsync(Repository, registry.ManifestDigest, scanType: ScanType.BASIC);
            await scanner.Results.WaitForAsync(scan.ScanId, TimeSpan.FromSeconds(60));

            var scanned = scanner.Results.Of<ImageScanned>(scan.ScanId).Single();
            Assert.That(scanned.OperatingSystem?.EndOfLife, Is.EqualTo(new DateOnly(2099, 6, 30)));
            Assert.That(scanned.Warnings, Is.Null, "a supported release is no warning");
        }
        finally
        {
            feed.Delete(recursive: true);
        }
    }

    private static byte[] BusterLayer()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            void File(string path, string content) =>
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.ASCII.GetBytes(content)) });
            File("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nID=debian\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\n");
            File("var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 10.3+deb10u13\n\n");
        }
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(tar.ToArray());
        return output.ToArray();
    }
}
