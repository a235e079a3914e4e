using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using MassTransit;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>The console's per-page severity counts, answered from the real SQLite findings store in one request.</summary>
public sealed class GetImageSeverityCountsConsumerTests
{
    private const string Registry = "local";
    private const string Repository = "prod/api";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private string _directory = "";
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private SqliteFindingsStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("findings-counts-").FullName;
        _store = new SqliteFindingsStore(new SqliteDatabase(Path.Combine(_directory, "findings.db")));
        _provider = new ServiceCollection()
            .AddSingleton<IFindingsStore>(_store)
            .AddMassTransitTestHarness(x => x.AddConsumer<GetImageSeverityCountsConsumer>())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private Task SaveAsync(char digest, DateTimeOffset at, params FindingSeverity[] severities)
    {
        var findings = severities.Select((s, i) => new VulnerabilityFinding($"CVE-2026-{i:D4}", [], s, null, null, null, null, null, null,
            new PackageRecord($"pkg{i}", "1.0", "dpkg", "Debian:12", null, null, "amd64", "var/lib/dpkg/status", Digest('1')))).ToList();
        return _store.SaveScanAsync(new ImageScanRecord(Guid.NewGuid(), new ImageRef(Registry, Repository, Digest(digest), ["v1"]), ScanType.BASIC,
            ScanTrigger.PUSH, ScanStatus.COMPLETE, "done", null, ImageScanRecord.CountBySeverity(findings), findings, at, null));
    }

    [Test]
    public async Task Each_image_gets_the_counts_of_its_latest_scan_and_an_unscanned_image_says_so()
    {
        await SaveAsync('a', T0, FindingSeverity.CRITICAL, FindingSeverity.HIGH, FindingSeverity.HIGH);
        await SaveAsync('a', T0.AddHours(1), FindingSeverity.LOW);
        await SaveAsync('b', T0, FindingSeverity.MEDIUM);

        var response = await _harness.GetRequestClient<GetImageSeverityCounts>()
            .GetResponse<ImageSeverityCountsResult>(new GetImageSeverityCounts(Registry, Repository, [Digest('a'), Digest('b'), Digest('c'), Digest('a')]));
        var byDigest = response.Message.Images.ToDictionary(i => i.Digest);

        Assert.Multiple(() =>
        {
            Assert.That(response.Message.Images, Has.Count.EqualTo(3), "one answer per distinct image");
            Assert.That(byDigest[Digest('a')].FindingSeverityCounts, Is.EquivalentTo(new Dictionary<FindingSeverity, int> { [FindingSeverity.LOW] = 1 }), "the latest scan only");
            Assert.That(byDigest[Digest('a')].ScanCompletedAt, Is.EqualTo(T0.AddHours(1)));
            Assert.That(byDigest[Digest('b')].FindingSeverityCounts, Is.EquivalentTo(new Dictionary<FindingSeverity, int> { [FindingSeverity.MEDIUM] = 1 }));
            Assert.That((byDigest[Digest('c')].Scanned, byDigest[Digest('c')].FindingSeverityCounts.Count), Is.EqualTo((false, 0)));
        });
    }
}
