using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.Services.Tests.Scanner.Support;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// What the scanner records while it really scans (a real registry, SQLite stores, the in-memory bus): started,
/// completed and failed with ECR's reason, the pull/inventory/match stages, layer bytes and cache misses; a re-scan
/// from the stored inventory records only the match stage.
/// </summary>
[NonParallelizable]
public sealed class ScannerMetricsTests
{
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

    private RegistryServer _registry = null!;
    private PushedImage _image = null!;
    private ScannerTestHost _scanner = null!;
    private MeterListener _listener = null!;
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    [OneTimeSetUp]
    public async Task StartRegistryAndScanner()
    {
        _registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _image = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(rootfs => rootfs
            .WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status)), _registry, "team/debian", "v1");
        _scanner = await ScannerTestHost.StartAsync(_registry.Url);

        // Only this host's meters: other fixtures' scanners may be measuring at the same time.
        var factory = _scanner.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) => { if (instrument.Meter.Scope == factory) listener.EnableMeasurementEvents(instrument); },
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _listener.Dispose();
        await _scanner.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags) copy[tag.Key] = tag.Value?.ToString();
        _measurements.Enqueue((instrument.Name, value, copy));
    }

    [Test]
    public async Task A_push_scan_then_a_rescan_record_their_stages_and_outcomes()
    {
        var push = await ScanAsync("local", ScanTrigger.PUSH, expectFailure: false);
        var rescan = await ScanAsync("local", ScanTrigger.RESCAN, expectFailure: false);

        Assert.Multiple(() =>
        {
            Assert.That(Count("imagescanning.scanner.scans.started", push), Is.EqualTo(1));
            Assert.That(Count("imagescanning.scanner.scans.completed", push), Is.EqualTo(1));
            Assert.That(Count("imagescanning.scanner.scans.completed", rescan), Is.EqualTo(1));
            Assert.That(Measured("imagescanning.scanner.scans.completed", push).Single().Tags,
                Is.EquivalentTo(new Dictionary<string, string?> { ["scan_type"] = "BASIC", ["trigger"] = "PUSH", ["registry"] = "local", ["repository"] = "team/debian" }));
            Assert.That(Measured("imagescanning.scanner.scans.failed", push).Concat(Measured("imagescanning.scanner.scans.failed", rescan)), Is.Empty);
            Assert.That(Stages(push), Is.EqualTo(new[] { "pull", "inventory", "match" }));
            Assert.That(Stages(rescan), Is.EqualTo(new[] { "match" }), "a re-scan re-matches the stored inventory without pulling");
            Assert.That(Measured("imagescanning.scanner.layer.read", push).Sum(m => m.Value), Is.GreaterThan(0));
            Assert.That(Measured("imagescanning.scanner.layers", push).Where(m => m.Tags["cache"] == "miss").Sum(m => m.Value), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_scan_of_an_unconfigured_registry_counts_as_failed_with_its_ecr_reason()
    {
        var window = await ScanAsync("nowhere", ScanTrigger.MANUAL, expectFailure: true);

        var failed = Measured("imagescanning.scanner.scans.failed", window).ToList();
        Assert.That(failed, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(failed[0].Tags["reason"], Is.EqualTo(nameof(ScanFailureReason.REGISTRY_NOT_CONFIGURED)));
            Assert.That(failed[0].Tags["trigger"], Is.EqualTo("MANUAL"));
            Assert.That(Count("imagescanning.scanner.scans.started", window), Is.EqualTo(1));
            Assert.That(Count("imagescanning.scanner.scans.completed", window), Is.Zero);
        });
    }

    /// <summary>Runs one scan; returns the measurements it produced.</summary>
    private async Task<List<(string Instrument, double Value, Dictionary<string, string?> Tags)>> ScanAsync(string registry, ScanTrigger trigger, bool expectFailure)
    {
        _measurements.Clear();
        var command = await _scanner.ScanAsync("team/debian", _image.Digest, trigger, registry: registry);
        await _scanner.Results.WaitForAsync(command.ScanId);
        Assert.That(_scanner.Results.Of<ImageScanFailed>(command.ScanId), expectFailure ? Is.Not.Empty : Is.Empty);
        // The outcome is counted right after the commit: give the handler that moment.
        await Task.Delay(200);
        return _measurements.ToList();
    }

    private static IEnumerable<(string Instrument, double Value, Dictionary<string, string?> Tags)> Measured(
        string instrument, List<(string Instrument, double Value, Dictionary<string, string?> Tags)> window) =>
        window.Where(m => m.Instrument == instrument);

    private static double Count(string instrument, List<(string Instrument, double Value, Dictionary<string, string?> Tags)> window) =>
        Measured(instrument, window).Sum(m => m.Value);

    private static IEnumerable<string?> Stages(List<(string Instrument, double Value, Dictionary<string, string?> Tags)> window) =>
        Measured("imagescanning.scan.stage.duration", window).Select(m => m.Tags["stage"]);
}
