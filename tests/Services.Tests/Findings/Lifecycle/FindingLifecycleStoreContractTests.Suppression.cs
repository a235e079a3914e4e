using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

public abstract partial class FindingLifecycleStoreContractTests
{
    private static SuppressionRule Rule(string id, SuppressionFilter filter, DateTimeOffset? expiresAt = null) =>
        new(id, "rule " + id, "accepted risk", filter, expiresAt, T0, T0);

    [Test]
    public async Task A_matching_rule_suppresses_open_findings_and_deleting_it_reactivates_them()
    {
        var image = Image('j', repository: "team/payments");
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.LOW, "zlib"), Finding("CVE-2", FindingSeverity.HIGH, "openssl")), default);

        await _store.SaveRuleAsync(Rule("r1", new SuppressionFilter(Severities: [FindingSeverity.LOW], Repository: "team/*")));
        var suppressing = await _lifecycle.ApplyRulesAsync(default);
        var suppressed = await AllAsync(image);
        await _store.DeleteRuleAsync("r1");
        var reactivating = await _lifecycle.ApplyRulesAsync(default);
        var reactivated = await AllAsync(image);

        Assert.Multiple(() =>
        {
            Assert.That(suppressing.Select(e => (e.Finding.VulnerabilityId, e.Change, e.Status)),
                Is.EqualTo(new[] { ("CVE-1", FindingChangeKind.UPDATED, FindingStatus.SUPPRESSED) }));
            Assert.That(suppressed.Select(f => (f.Status, f.SuppressedByRuleId)),
                Is.EqualTo(new[] { (FindingStatus.SUPPRESSED, (string?)"r1"), (FindingStatus.ACTIVE, null) }));
            Assert.That(reactivating.Single().Status, Is.EqualTo(FindingStatus.ACTIVE));
            Assert.That(reactivated.Select(f => f.Status), Is.All.EqualTo(FindingStatus.ACTIVE));
            Assert.That(reactivated.Select(f => f.FindingArn), Is.EqualTo(suppressed.Select(f => f.FindingArn)));
        });
    }

    [Test]
    public async Task A_new_finding_matching_a_rule_is_created_suppressed_until_the_rule_expires()
    {
        var image = Image('k');
        await _store.SaveRuleAsync(Rule("r2", new SuppressionFilter(VulnerabilityIds: ["CVE-9"]), expiresAt: T0.AddDays(1)));

        var created = await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-9", FindingSeverity.CRITICAL, "openssl")), default);
        _clock.Now = T0.AddHours(23);
        var beforeExpiry = await _lifecycle.ApplyRulesAsync(default);
        _clock.Now = T0.AddDays(1);
        var atExpiry = await _lifecycle.ApplyRulesAsync(default);

        Assert.Multiple(() =>
        {
            Assert.That(created.Single().Status, Is.EqualTo(FindingStatus.SUPPRESSED));
            Assert.That(beforeExpiry, Is.Empty);
            Assert.That(atExpiry.Single().Status, Is.EqualTo(FindingStatus.ACTIVE));
        });
        Assert.That((await AllAsync(image)).Single().SuppressedByRuleId, Is.Null);
        Assert.That((await _store.ListRulesAsync()).Single().Id, Is.EqualTo("r2"), "an expired rule is kept, visible, until deleted");
    }

    [Test]
    public async Task Queries_filter_sort_and_page_without_gaps_or_repeats()
    {
        var a = Image('l', repository: "shop/web");
        var b = Image('m', repository: "shop/api");
        var c = Image('n', repository: "other/tool");
        await _lifecycle.ApplyScanAsync(Scan(a, T0, Finding("CVE-1", FindingSeverity.CRITICAL, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib", fixedIn: null),
            Finding("CVE-3", FindingSeverity.HIGH, "curl")), default);
        await _lifecycle.ApplyScanAsync(Scan(b, T0.AddMinutes(1), Finding("CVE-1", FindingSeverity.CRITICAL, "openssl"), Finding("CVE-4", FindingSeverity.MEDIUM, "bash")), default);
        await _lifecycle.ApplyScanAsync(Scan(c, T0.AddMinutes(2), Finding("CVE-5", FindingSeverity.HIGH, "perl")), default);

        var pages = new List<FindingDetail>();
        string? token = null;
        var pageCount = 0;
        do
        {
            var page = await _store.QueryAsync(new ListFindings(new FindingFilter(Repository: "shop/*"), FindingSortField.SEVERITY, SortOrder.DESC, 2, token));
            pages.AddRange(page.Findings);
            token = page.NextToken;
            pageCount++;
        } while (token is not null);

        var critical = await _store.QueryAsync(new ListFindings(
            new FindingFilter(Severities: [FindingSeverity.CRITICAL], VulnerabilityId: "CVE-1", PackageName: "openssl"), FindingSortField.LAST_OBSERVED_AT, SortOrder.ASC, 10, null));
        var unfixed = await _store.QueryAsync(new ListFindings(new FindingFilter(FixAvailable: FixAvailable.NO), FindingSortField.PACKAGE_NAME, SortOrder.ASC, 10, null));

        Assert.Multiple(() =>
        {
            Assert.That(pageCount, Is.EqualTo(3));
            Assert.That(pages.Select(f => f.Finding.Severity), Is.EqualTo(new[]
                { FindingSeverity.CRITICAL, FindingSeverity.CRITICAL, FindingSeverity.HIGH, FindingSeverity.MEDIUM, FindingSeverity.LOW }));
            Assert.That(pages.Select(f => f.FindingArn).Distinct().Count(), Is.EqualTo(5));
            Assert.That(critical.Findings.Select(f => f.Image.Repository), Is.EqualTo(new[] { "shop/web", "shop/api" }));
            Assert.That(unfixed.Findings.Select(f => f.Finding.Package.Name), Is.EqualTo(new[] { "zlib" }));
        });
        Assert.ThrowsAsync<ArgumentException>(() => _store.QueryAsync(new ListFindings(new FindingFilter(), FindingSortField.SEVERITY, SortOrder.DESC, 2, "not-a-token")));
    }

    [Test]
    public async Task Counts_group_by_image_and_key_with_severity_and_fix_availability()
    {
        var a = Image('o', repository: "shop/web");
        await _lifecycle.ApplyScanAsync(Scan(a, T0, Finding("CVE-1", FindingSeverity.CRITICAL, "openssl", layer: '2'),
            Finding("CVE-2", FindingSeverity.CRITICAL, "openssl", layer: '2'), Finding("CVE-3", FindingSeverity.LOW, "zlib", fixedIn: null, layer: '3')), default);

        var byLayer = await _store.CountAsync(new FindingFilter(Statuses: [FindingStatus.ACTIVE]), FindingCountKey.LayerHash);

        Assert.That(byLayer.Select(r => (r.Key, r.Severity, r.FixAvailable, r.Count)), Is.EquivalentTo(new[]
        {
            ("sha256:" + new string('2', 64), FindingSeverity.CRITICAL, FixAvailable.YES, 2L),
            ("sha256:" + new string('3', 64), FindingSeverity.LOW, FixAvailable.NO, 1L),
        }));
        Assert.That(byLayer.Select(r => r.Digest), Is.All.EqualTo(a.Digest));
    }
}
