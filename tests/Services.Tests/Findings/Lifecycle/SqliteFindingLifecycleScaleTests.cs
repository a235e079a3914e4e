using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>
/// The SQLite lifecycle store with 1,000 images of 30 findings each (30,000 rows): the gauge's grouped count, a filtered
/// first page and a repository aggregation stay correct; their times are printed for information.
/// </summary>
public sealed class SqliteFindingLifecycleScaleTests
{
    private const int Images = 1_000;
    private const int FindingsPerImage = 30;
    private static readonly FindingSeverity[] Severities = [FindingSeverity.LOW, FindingSeverity.MEDIUM, FindingSeverity.HIGH, FindingSeverity.CRITICAL];

    private string _directory = "";

    [TearDown]
    public void Delete()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Thirty_thousand_findings_are_counted_paged_and_aggregated_correctly()
    {
        _directory = Directory.CreateTempSubdirectory("finding-lifecycle-scale-").FullName;
        var store = new SqliteFindingLifecycleStore(new SqliteDatabase(Path.Combine(_directory, "findings.db")));
        var lifecycle = new FindingLifecycleService(store, new FindingArns(Options), TimeProvider.System);
        var load = Stopwatch.StartNew();
        for (var i = 0; i < Images; i++)
        {
            var image = new ImageRef("local", $"team{i % 20}/app{i % 50}", "sha256:" + i.ToString("x64"), ["v1"]);
            var findings = Enumerable.Range(0, FindingsPerImage)
                .Select(n => Finding($"CVE-2026-{n:0000}", Severities[n % Severities.Length], $"pkg{n}", fixedIn: n % 3 == 0 ? null : "2.0")).ToArray();
            await lifecycle.ApplyScanAsync(Scan(image, T0.AddSeconds(i), findings), default);
        }
        load.Stop();

        var rescan = Stopwatch.StartNew();
        var changes = await lifecycle.ApplyScanAsync(Scan(new ImageRef("local", "team0/app0", "sha256:" + 0.ToString("x64"), ["v1"]), T0.AddDays(1),
            Enumerable.Range(1, FindingsPerImage - 1).Select(n => Finding($"CVE-2026-{n:0000}", Severities[n % Severities.Length], $"pkg{n}", fixedIn: n % 3 == 0 ? null : "2.0")).ToArray()), default);
        rescan.Stop();

        var count = Stopwatch.StartNew();
        var open = await store.CountAsync(new FindingFilter(Statuses: [FindingStatus.ACTIVE]), FindingCountKey.None);
        count.Stop();
        var page = Stopwatch.StartNew();
        var critical = await store.QueryAsync(new ListFindings(new FindingFilter(Severities: [FindingSeverity.CRITICAL], Statuses: [FindingStatus.ACTIVE]),
            FindingSortField.LAST_OBSERVED_AT, SortOrder.DESC, 100, null));
        page.Stop();
        var aggregate = Stopwatch.StartNew();
        var byRepository = await FindingAggregator.AggregateAsync(store, new ListFindingAggregations(
            FindingAggregationType.REPOSITORY, new FindingFilter(), AggregationSortBy.CRITICAL, SortOrder.DESC, 100, null), default);
        aggregate.Stop();

        await TestContext.Out.WriteLineAsync(
            $"load {Images * FindingsPerImage} findings: {load.ElapsedMilliseconds} ms; rescan of one image: {rescan.ElapsedMilliseconds} ms; " +
            $"gauge count: {count.ElapsedMilliseconds} ms; first page of CRITICAL: {page.ElapsedMilliseconds} ms; repository aggregation: {aggregate.ElapsedMilliseconds} ms");
        Assert.Multiple(() =>
        {
            Assert.That(changes.Single().Change, Is.EqualTo(FindingChangeKind.CLOSED));
            Assert.That(open.Sum(r => r.Count), Is.EqualTo(Images * FindingsPerImage - 1));
            Assert.That(open.Select(r => r.Digest).Distinct().Count(), Is.EqualTo(Images));
            Assert.That(critical.Findings, Has.Count.EqualTo(100));
            Assert.That(critical.Findings.Select(f => f.Finding.Severity), Is.All.EqualTo(FindingSeverity.CRITICAL));
            Assert.That(critical.Findings.Select(f => f.LastObservedAt), Is.Ordered.Descending);
            Assert.That(critical.NextToken, Is.Not.Null);
            Assert.That(byRepository.Responses.Sum(r => r.AffectedImages), Is.EqualTo(Images));
            Assert.That(byRepository.Responses.Sum(r => r.SeverityCounts.All), Is.EqualTo(Images * FindingsPerImage - 1));
        });
    }
}
