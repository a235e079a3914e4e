using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;
using ImageScanning.TestSupport;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// Attempts per scan id: a scan whose scanner stopped (killed, out of memory) three times in the middle of it is recorded FAILED with
/// the reason instead of being tried again, while failures inside the process (an exception MassTransit retries) are not stops.
/// Stopped scanners are played by attempts recorded under other scanner ids, as a dead process leaves them.
/// </summary>
[NonParallelizable]
public sealed class ScanAttemptsTests
{
    private const string Repository = "team/attempts";
    private const string Broken = "team/broken";
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

    private RegistryServer _registry = null!;
    private PushedImage _image = null!;
    private PushedImage _broken = null!;

    [OneTimeSetUp]
    public async Task StartRegistryAndPushImages()
    {
        _registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        TestImageBuilder Image() => TestImages.Builder().Layer(rootfs => rootfs.WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status));
        _image = await TestImages.BuildAndPushAsync(Image(), _registry, Repository, "v1");
        _broken = await TestImages.BuildAndPushAsync(Image(), _registry, Broken, "v1");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    [Test]
    public async Task A_scan_whose_scanner_stopped_three_times_fails_with_the_reason_without_being_scanned()
    {
        await using var scanner = await ScannerTestHost.StartAsync(_registry.Url);
        var scanId = NewId.NextGuid();
        for (var i = 0; i < 3; i++) await scanner.Attempts.RecordAsync(scanId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(i - 10));
        var before = _registry.LogPosition;

        await scanner.ScanAsync(Repository, _image.Digest, scanId: scanId);
        await scanner.Results.WaitForAsync(scanId);
        await _registry.SyncLogAsync();

        var failed = scanner.Results.Of<ImageScanFailed>(scanId);
        Assert.That(failed, Has.Count.EqualTo(1));
        Assert.Multiple(async () =>
        {
            Assert.That(failed[0].Reason, Is.EqualTo(ScanFailureReason.INTERNAL_ERROR));
            Assert.That(failed[0].Message, Is.EqualTo(
                "The scanner stopped 3 times while scanning this image without finishing (it may have run out of memory); it was not tried again."));
            Assert.That(scanner.Results.CountFor(scanId), Is.EqualTo(1));
            Assert.That(_registry.Fetches(Repository, before), Is.Empty, "the image was not pulled");
            Assert.That(await scanner.Attempts.CountUnfinishedAsync(scanId, Guid.NewGuid()), Is.Zero, "the result forgot the attempts");
        });

        // The scan has its result: another dispatch of it is skipped, not failed again.
        await scanner.ScanAsync(Repository, _image.Digest, scanId: scanId);
        await scanner.Deliveries.WaitForAsync(scanId, 2);
        await Task.Delay(1500);
        Assert.That(scanner.Results.CountFor(scanId), Is.EqualTo(1));
    }

    [Test]
    public async Task A_scan_whose_scanner_stopped_twice_is_tried_again_and_its_result_forgets_the_attempts()
    {
        await using var scanner = await ScannerTestHost.StartAsync(_registry.Url);
        var scanId = NewId.NextGuid();
        for (var i = 0; i < 2; i++) await scanner.Attempts.RecordAsync(scanId, Guid.NewGuid(), DateTimeOffset.UtcNow);

        await scanner.ScanAsync(Repository, _image.Digest, scanId: scanId);
        await scanner.Results.WaitForAsync(scanId);

        Assert.That(scanner.Results.Of<ImageScanned>(scanId), Has.Count.EqualTo(1));
        Assert.That(await scanner.Attempts.CountUnfinishedAsync(scanId, Guid.NewGuid()), Is.Zero);
    }

    [Test]
    public async Task The_limit_follows_Scanning_MaxScanAttempts()
    {
        await using var scanner = await ScannerTestHost.StartAsync(_registry.Url, new Dictionary<string, string?> { ["Scanning:MaxScanAttempts"] = "1" });
        var scanId = NewId.NextGuid();
        await scanner.Attempts.RecordAsync(scanId, Guid.NewGuid(), DateTimeOffset.UtcNow);

        await scanner.ScanAsync(Repository, _image.Digest, scanId: scanId);
        await scanner.Results.WaitForAsync(scanId);

        Assert.That(scanner.Results.Of<ImageScanFailed>(scanId).Select(f => f.Message).Single(), Does.StartWith("The scanner stopped 1 times"));
    }

    [Test]
    public async Task A_fault_injected_repository_throws_on_every_attempt_faults_and_leaves_no_attempt_behind()
    {
        await using var scanner = await ScannerTestHost.StartAsync(_registry.Url,
            new Dictionary<string, string?> { ["Testing:FailScansOfRepository"] = Broken }, immediateRetries: 2);

        var broken = await scanner.ScanAsync(Broken, _broken.Digest);
        var healthy = await scanner.ScanAsync(Repository, _image.Digest);
        await scanner.Results.WaitForAsync(broken.ScanId);
        await scanner.Results.WaitForAsync(healthy.ScanId);

        var deliveries = scanner.Deliveries.Of(broken.ScanId);
        Assert.Multiple(async () =>
        {
            Assert.That(deliveries, Has.Count.EqualTo(3), "the first try and two retries");
            Assert.That(deliveries.Select(d => d.Error?.Message), Has.All.StartsWith("Injected failure (Testing:FailScansOfRepository)"));
            var fault = scanner.Results.Of<Fault<ScanImage>>(broken.ScanId);
            Assert.That(fault, Has.Count.EqualTo(1), "past the retries MassTransit faults the command (the router records FAILED from it)");
            Assert.That(fault.Single().Exceptions.Single().ExceptionType, Is.EqualTo(typeof(InvalidOperationException).FullName));
            Assert.That(scanner.Results.Of<ImageScanned>(broken.ScanId).Concat<object>(scanner.Results.Of<ImageScanFailed>(broken.ScanId)), Is.Empty);
            Assert.That(await scanner.Attempts.CountUnfinishedAsync(broken.ScanId, Guid.NewGuid()), Is.Zero,
                "an exception in the process ends its attempt: only a scanner that dies leaves one behind");
            Assert.That(scanner.Results.Of<ImageScanned>(healthy.ScanId), Has.Count.EqualTo(1), "other repositories scan as usual");
        });
    }
}
