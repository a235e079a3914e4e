using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;
using ImageScanning.TestSupport;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// Nothing holds a scanner slot for ever: a registry that trickles a layer fails the scan as TIMEOUT on the throughput floor, and a
/// scan that outlives Scanning:ScanTimeout fails as TIMEOUT on the deadline, both as results the user sees (not retried). The image
/// is real (pushed to docker-registry); a Kestrel registry in front of it serves its manifest and config as they are and its layer
/// a byte at a time, or not at all. Windows and deadlines are shortened so each case takes seconds.
/// </summary>
[NonParallelizable]
public sealed class ScanDeadlineTests
{
    private const string Repository = "team/slow";
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

    private RegistryServer _registry = null!;
    private PushedImage _image = null!;
    private IReadOnlyList<string> _layers = [];

    [OneTimeSetUp]
    public async Task StartRegistryAndPushImage()
    {
        _registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _image = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(rootfs => rootfs
            .WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status)), _registry, Repository, "v1");
        _layers = await TricklingRegistry.LayerDigestsAsync(_registry.Url, Repository, _image.Digest);
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    private async Task<(ImageScanFailed Failure, TimeSpan Took, ScannerTestHost Scanner)> ScanFailingAsync(ScannerTestHost scanner)
    {
        var clock = Stopwatch.StartNew();
        var command = await scanner.ScanAsync(Repository, _image.Digest);
        await scanner.Results.WaitForAsync(command.ScanId, TimeSpan.FromSeconds(30));
        var took = clock.Elapsed;
        await scanner.Deliveries.WaitForAsync(command.ScanId, 1);
        await Task.Delay(300);
        TestContext.Out.WriteLine($"took {took}: {string.Join(" | ", scanner.Results.Of<ImageScanFailed>(command.ScanId).Select(f => $"{f.Reason}: {f.Message}"))}");
        Assert.That(scanner.Results.Of<Fault<ScanImage>>(command.ScanId), Is.Empty, "a timeout is a result, not a fault to retry");
        Assert.That(scanner.Results.CountFor(command.ScanId), Is.EqualTo(1));
        Assert.That(scanner.Deliveries.Of(command.ScanId).Select(d => d.Error), Is.EqualTo(new Exception?[] { null }), "handled once, not retried");
        Assert.That(await scanner.Attempts.CountUnfinishedAsync(command.ScanId, Guid.NewGuid()), Is.Zero);
        return (scanner.Results.Of<ImageScanFailed>(command.ScanId).Single(), took, scanner);
    }

    [Test]
    public async Task A_registry_that_sends_a_layer_a_byte_at_a_time_fails_the_scan_as_TIMEOUT_naming_the_layer_and_its_rate()
    {
        await using var trickling = await TricklingRegistry.StartAsync(_registry.Url, _layers, byteInterval: TimeSpan.FromMilliseconds(20));
        await using var scanner = await ScannerTestHost.StartAsync(trickling.Url, new Dictionary<string, string?>
        {
            ["Scanning:MinimumThroughputBytesPerSecond"] = "4096",
            ["Scanning:ThroughputWindow"] = "00:00:00.5",
        });

        var (failure, took, _) = await ScanFailingAsync(scanner);

        Assert.That(trickling.SlowRequests, Is.EqualTo(1), "the layer was requested through the trickling registry once");
        Assert.That(failure.Reason, Is.EqualTo(ScanFailureReason.TIMEOUT));
        Assert.That(failure.Message, Does.Contain($"blob {Repository}@{_layers[0]}"));
        Assert.That(failure.Message, Does.Match(@"too slow: \d+(\.\d)? bytes/s .*below the minimum of 4096 bytes/s over 0\.5 s"));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(15)), "a window of half a second, not the layer at 50 bytes/s");
    }

    [Test]
    public async Task A_scan_that_outlives_its_deadline_fails_as_TIMEOUT_naming_the_deadline()
    {
        // The layer stalls for good and the throughput floor is off: only the scan's deadline can end it (the idle timeout is 2 min).
        await using var stalling = await TricklingRegistry.StartAsync(_registry.Url, _layers, byteInterval: null);
        await using var scanner = await ScannerTestHost.StartAsync(stalling.Url, new Dictionary<string, string?>
        {
            ["Scanning:MinimumThroughputBytesPerSecond"] = "0",
            ["Scanning:ScanTimeout"] = "00:00:01.5",
        });

        var (failure, took, _) = await ScanFailingAsync(scanner);

        Assert.That(failure.Reason, Is.EqualTo(ScanFailureReason.TIMEOUT));
        Assert.That(failure.Message, Is.EqualTo(
            $"The scan of {Repository}@{_image.Digest} did not finish within its deadline of 1500 ms (Scanning:ScanTimeout) and was stopped."));
        Assert.That(took, Is.GreaterThan(TimeSpan.FromSeconds(1.4)).And.LessThan(TimeSpan.FromSeconds(15)));
    }
}
