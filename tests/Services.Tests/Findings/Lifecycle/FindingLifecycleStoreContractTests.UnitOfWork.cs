using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>The lifecycle store joined with a unit of work of its database: its changes are the work's, kept or dropped with it.</summary>
public abstract partial class FindingLifecycleStoreContractTests
{
    [Test]
    public async Task A_scan_applied_in_a_unit_of_work_is_stored_only_when_the_work_commits()
    {
        var image = Image('u');
        var key = FindingRecord.KeyOf(image);
        var scan = Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib"));

        await using (var abandoned = await _database.BeginAsync())
        {
            var events = await _lifecycle.In(abandoned).ApplyScanAsync(scan, default);
            var seenInside = await _store.In(abandoned).GetImageAsync(key);
            Assert.That(events, Has.Count.EqualTo(2));
            Assert.That((seenInside.Revision, seenInside.Findings.Count), Is.EqualTo((1L, 2)), "the work reads its own writes");
            Assert.That(await AllAsync(image), Is.Empty, "nobody else sees them before the commit");
        }
        var afterRollback = await _store.GetImageAsync(key);
        Assert.That((afterRollback.Revision, afterRollback.Findings.Count, await _store.GetInventoryAsync(key)), Is.EqualTo((0L, 0, (ImageInventory?)null)),
            "a work disposed without committing leaves nothing");

        IReadOnlyList<FindingChanged> committed;
        await using (var work = await _database.BeginAsync())
        {
            committed = await _lifecycle.In(work).ApplyScanAsync(scan, default);
            await work.CommitAsync(default);
        }
        var stored = await AllAsync(image);
        Assert.That(stored.Select(f => f.FindingArn), Is.EquivalentTo(committed.Select(e => e.FindingArn)));
        Assert.That((await _store.GetImageAsync(key)).AppliedScanId, Is.EqualTo(scan.ScanId));
        Assert.That(await _store.GetInventoryAsync(key), Is.Not.Null);
    }

    [Test]
    public async Task A_rule_and_the_status_changes_it_causes_commit_or_roll_back_together()
    {
        var image = Image('w');
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.LOW, "zlib")), default);
        var rule = new SuppressionRule("r-uow", "low", "accepted", new SuppressionFilter(Severities: [FindingSeverity.LOW]), null, T0, T0);

        await using (var abandoned = await _database.BeginAsync())
        {
            await _store.In(abandoned).SaveRuleAsync(rule);
            Assert.That(await _lifecycle.In(abandoned).ApplyRulesAsync(default), Has.Count.EqualTo(1));
        }
        Assert.That(await _store.ListRulesAsync(), Is.Empty);
        Assert.That((await AllAsync(image)).Single().Status, Is.EqualTo(FindingStatus.ACTIVE));

        await using (var work = await _database.BeginAsync())
        {
            await _store.In(work).SaveRuleAsync(rule);
            await _lifecycle.In(work).ApplyRulesAsync(default);
            await work.CommitAsync(default);
        }
        Assert.That((await _store.ListRulesAsync()).Select(r => r.Id), Is.EqualTo(new[] { "r-uow" }));
        Assert.That((await AllAsync(image)).Single().Status, Is.EqualTo(FindingStatus.SUPPRESSED));
    }
}
