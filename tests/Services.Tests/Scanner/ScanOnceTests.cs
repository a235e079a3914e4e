using ImageScanning.Contracts;
using ImageScanning.ScannerCore;
using ImageScanning.Services.Tests.Scanner.Support;
using ImageScanning.TestSupport;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// A scan id gets one result however often its command arrives: a redelivery (same message id) or the router's sweeper dispatching
/// it again (a new message id) finds the inbox mark and neither pulls the image again nor publishes anything. The scanner as its
/// host wires it, a real docker-registry, the scanners' SQLite database, the in-memory bus.
/// </summary>
[NonParallelizable]
public sealed class ScanOnceTests
{
    private const string Repository = "team/once";
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

    private RegistryServer _registry = null!;
    private PushedImage _image = null!;
    private ScannerTestHost _scanner = null!;

    [OneTimeSetUp]
    public async Task StartRegistryAndPushImage()
    {
        _registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _image = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(rootfs => rootfs
            .WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status)), _registry, Repository, "v1");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    [SetUp]
    public async Task StartScanner() => _scanner = await ScannerTestHost.StartAsync(_registry.Url);

    [TearDown]
    public async Task StopScanner() => await _scanner.DisposeAsync();

    [Test]
    public async Task A_redelivered_or_redispatched_scan_publishes_nothing_again_and_is_not_pulled_again()
    {
        var first = NewId.NextGuid();
        var command = await _scanner.ScanAsync(Repository, _image.Digest, messageId: first);
        await _scanner.Results.WaitForAsync(command.ScanId);
        await _scanner.Deliveries.WaitForAsync(command.ScanId, 1);
        await _registry.SyncLogAsync(); // the registry writes its access log after each response
        var afterFirst = _registry.LogPosition;

        await _scanner.SendAsync(command, first);             // a redelivery: same message id
        await _scanner.SendAsync(command, NewId.NextGuid());  // the router's sweeper: same scan id, new message id
        await _scanner.Deliveries.WaitForAsync(command.ScanId, 3);
        await Task.Delay(1500); // longer than the outbox's poll: anything queued would have gone out

        Assert.Multiple(async () =>
        {
            Assert.That(_scanner.Deliveries.Of(command.ScanId).Select(d => d.Error), Has.All.Null, "every delivery was handled");
            Assert.That(_scanner.Results.Of<ImageScanned>(command.ScanId), Has.Count.EqualTo(1));
            Assert.That(_scanner.Results.CountFor(command.ScanId), Is.EqualTo(1), "no second result of any kind");
            Assert.That(_registry.Fetches(Repository, afterFirst), Is.Empty, "the image was not pulled again");
            Assert.That((await _scanner.Database.Outbox.GetStatusAsync()).Pending, Is.Zero);
            Assert.That(await _scanner.Database.Outbox.IsHandledAsync(ScanImageHandler.InboxName, command.ScanId), Is.True);
        });
    }

    [Test]
    public async Task Two_deliveries_of_one_scan_sent_together_publish_one_result()
    {
        // Whether the second passes the early check while the first is still scanning or not, only one unit of work commits.
        var command = new ScanImage(NewId.NextGuid(), new ImageRef(ScannerTestHost.Registry, Repository, _image.Digest, []), ScanType.BASIC,
            ScanTrigger.PUSH, DateTimeOffset.UtcNow);
        await Task.WhenAll(_scanner.SendAsync(command, NewId.NextGuid()), _scanner.SendAsync(command, NewId.NextGuid()));

        await _scanner.Deliveries.WaitForAsync(command.ScanId, 2);
        await Task.Delay(1500);

        Assert.That(_scanner.Deliveries.Of(command.ScanId).Select(d => d.Error), Has.All.Null);
        Assert.That(_scanner.Results.Of<ImageScanned>(command.ScanId), Has.Count.EqualTo(1));
        Assert.That(_scanner.Results.CountFor(command.ScanId), Is.EqualTo(1));
    }
}
