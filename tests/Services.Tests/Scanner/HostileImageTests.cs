using System.IO.Compression;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// A failure caused by the image's bytes is a result, recorded once with its reason: the scanner as its host wires it, with
/// retries on, scans images built here from crafted bytes and served by a registry on 127.0.0.1 that counts each blob's fetches.
/// A layer whose PAX header declares 2 GB fails LAYER_TOO_LARGE with the layer fetched once; a manifest of more layers than
/// Scanning:ImageLimits:MaxLayers fails before any blob is fetched.
/// </summary>
[NonParallelizable]
public sealed class HostileImageTests
{
    private const string Repository = "team/hostile";

    [Test]
    public async Task A_layer_with_a_2_GB_PAX_header_fails_the_scan_once_as_LAYER_TOO_LARGE_and_is_fetched_once()
    {
        var bomb = Gzip(TarHeader("PaxHeaders/bomb", 'x', 2_000_000_000), zeros: 8 * 1024 * 1024);
        await using var registry = await CraftedRegistry.StartAsync(Repository, [bomb]);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url, immediateRetries: 3);

        var failure = await ScanFailingAsync(scanner, registry.ManifestDigest);

        Assert.That(failure.Reason, Is.EqualTo(ScanFailureReason.LAYER_TOO_LARGE));
        Assert.That(failure.Message, Is.EqualTo(
            $"Layer {registry.Layers[0]} has a PAX extended header of 2000000000 bytes at entry 1, more than the 1048576 allowed (limit MaxHeaderBytes)."));
        Assert.That(registry.FetchesOf(registry.Layers[0]), Is.EqualTo(1), "the layer was fetched once, not again for a retry");
    }

    [Test]
    public async Task A_manifest_with_more_layers_than_allowed_fails_before_any_blob_is_fetched()
    {
        var layers = Enumerable.Range(0, 3).Select(i => Gzip(TarHeader($"etc/file{i}", '0', 0), zeros: 1024)).ToList();
        await using var registry = await CraftedRegistry.StartAsync(Repository, layers);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url, new Dictionary<string, string?> { ["Scanning:ImageLimits:MaxLayers"] = "2" },
            immediateRetries: 3);

        var failure = await ScanFailingAsync(scanner, registry.ManifestDigest);

        Assert.That(failure.Reason, Is.EqualTo(ScanFailureReason.UNSUPPORTED_IMAGE));
        Assert.That(failure.Message, Is.EqualTo(
            $"{Repository}@{registry.ManifestDigest} has 3 layers, more than the 2 allowed for one image (limit ImageLimits.MaxLayers)."));
        Assert.That(registry.BlobFetches, Is.Zero, "neither the config nor a layer was fetched");
    }

    [Test]
    public async Task The_layer_limits_are_settings_of_the_scanner()
    {
        // A PAX header of 4 KiB is an honest one; with Scanning:LayerLimits:MaxHeaderBytes at 1 KiB it is refused.
        var records = Encoding.ASCII.GetBytes($"4096 path={new string('p', 4096 - 11)}\n");
        Assert.That(records, Has.Length.EqualTo(4096));
        var layer = Gzip([.. TarHeader("PaxHeaders/p", 'x', records.Length), .. records], zeros: 4096);
        await using var registry = await CraftedRegistry.StartAsync(Repository, [layer]);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url, new Dictionary<string, string?> { ["Scanning:LayerLimits:MaxHeaderBytes"] = "1024" });

        var failure = await ScanFailingAsync(scanner, registry.ManifestDigest);

        Assert.That(failure.Message, Does.EndWith("has a PAX extended header of 4096 bytes at entry 1, more than the 1024 allowed (limit MaxHeaderBytes)."));
    }

    [Test]
    public async Task A_jar_the_scanner_could_not_read_is_a_warning_of_the_complete_scan()
    {
        var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
        {
            void File(string path, byte[] content) =>
                writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, path) { DataStream = new MemoryStream(content) });
            File("etc/os-release", Encoding.ASCII.GetBytes("ID=debian\nVERSION_ID=\"12\"\n"));
            File("var/lib/dpkg/status", Encoding.ASCII.GetBytes("Package: acl\nStatus: install ok installed\nVersion: 2.3.1-3\nArchitecture: amd64\n\n"));
            File("app/lib/broken.jar", [.. "PK\u0003\u0004"u8, .. new byte[64]]);
        }
        await using var registry = await CraftedRegistry.StartAsync(Repository, [Gzip(tar.ToArray(), zeros: 0)]);
        await using var scanner = await ScannerTestHost.StartAsync(registry.Url);

        var command = await scanner.ScanAsync(Repository, registry.ManifestDigest, scanType: ScanType.ENHANCED);
        await scanner.Results.WaitForAsync(command.ScanId, TimeSpan.FromSeconds(60));

        var scanned = scanner.Results.Of<ImageScanned>(command.ScanId).Single();
        Assert.Multiple(() =>
        {
            Assert.That(scanned.Packages.Select(p => p.Name), Does.Contain("acl"), "the rest of the image is scanned");
            Assert.That(scanned.Warnings?.Select(w => w.Path), Is.EqualTo(new[] { "app/lib/broken.jar" }));
            Assert.That(scanned.Warnings?.Single().Reason, Does.Contain("not a readable zip archive"));
        });
    }

    private static async Task<ImageScanFailed> ScanFailingAsync(ScannerTestHost scanner, string digest)
    {
        var command = await scanner.ScanAsync(Repository, digest);
        await scanner.Results.WaitForAsync(command.ScanId, TimeSpan.FromSeconds(60));
        await scanner.Deliveries.WaitForAsync(command.ScanId, 1);
        await Task.Delay(300);
        TestContext.Out.WriteLine(string.Join(" | ", scanner.Results.Of<ImageScanFailed>(command.ScanId).Select(f => $"{f.Reason}: {f.Message}")));
        Assert.That(scanner.Results.Of<Fault<ScanImage>>(command.ScanId), Is.Empty, "a failure of the image's bytes is a result, not a fault");
        Assert.That(scanner.Results.CountFor(command.ScanId), Is.EqualTo(1), "recorded once");
        Assert.That(scanner.Deliveries.Of(command.ScanId).Select(d => d.Error), Is.EqualTo(new Exception?[] { null }), "handled once, not retried");
        return scanner.Results.Of<ImageScanFailed>(command.ScanId).Single();
    }

    /// <summary>A ustar header of any type and declared size, as a hostile producer writes it.</summary>
    private static byte[] TarHeader(string name, char type, long size)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("14000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\000").CopyTo(header, 257);
        for (var i = 148; i < 156; i++) header[i] = (byte)' ';
        Encoding.ASCII.GetBytes(Convert.ToString(header.Sum(b => b), 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    /// <summary>The bytes, then zeros (compressed to almost nothing), gzip-compressed.</summary>
    private static byte[] Gzip(byte[] head, int zeros)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(head);
            gzip.Write(new byte[zeros]);
        }
        return output.ToArray();
    }
}
