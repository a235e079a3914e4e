using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Contracts.StringFilterComparison;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>Inspector's criteria over the store: filter rules, criteria pages (pushed down and filtered), findings by id.</summary>
public abstract partial class FindingLifecycleStoreContractTests
{
    private static StringFilter S(StringFilterComparison comparison, string value) => new(comparison, value);

    [Test]
    public async Task A_filter_rule_keeps_its_criteria_action_and_tags_and_only_suppress_suppresses()
    {
        var image = Image('p', repository: "team/payments");
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-2024-6119", FindingSeverity.HIGH, "libssl3"), Finding("CVE-2023-1", FindingSeverity.LOW, "zlib1g")), default);
        var criteria = new FindingCriteria(
            VulnerabilityId: [S(PREFIX, "CVE-2024-")], EcrImageRegistry: [S(EQUALS, Options.AccountId)],
            VulnerablePackages: [new PackageFilter(Name: S(EQUALS, "libssl3"), Epoch: new NumberFilter(0, 0))],
            FirstObservedAt: [new DateFilter(T0.AddDays(-1), T0.AddDays(1))]);
        var view = new SuppressionRule("f-none", "just-a-view", "", null, null, T0, T0, criteria, FilterAction.NONE, "saved", new Dictionary<string, string> { ["team"] = "payments" });
        await _store.SaveRuleAsync(view);
        var afterNone = await _lifecycle.ApplyRulesAsync(default);
        await _store.SaveRuleAsync(view with { Id = "f-suppress", Name = "accept", Action = FilterAction.SUPPRESS, CreatedAt = T0.AddSeconds(1) });
        var afterSuppress = await _lifecycle.ApplyRulesAsync(default);
        var stored = await _store.ListRulesAsync();
        var findings = await AllAsync(image);

        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(r => r.Id), Is.EqualTo(new[] { "f-none", "f-suppress" }));
            Assert.That(stored[0].Criteria, Is.Not.Null);
            Assert.That(stored[0].Criteria!.VulnerabilityId, Is.EqualTo(criteria.VulnerabilityId));
            Assert.That(stored[0].Criteria!.VulnerablePackages, Is.EqualTo(criteria.VulnerablePackages));
            Assert.That(stored[0].Criteria!.FirstObservedAt, Is.EqualTo(criteria.FirstObservedAt));
            Assert.That(stored[0].Criteria!.EcrImageRegistry, Is.EqualTo(criteria.EcrImageRegistry));
            Assert.That((stored[0].Action, stored[0].Description, stored[0].Tags!["team"]), Is.EqualTo((FilterAction.NONE, "saved", "payments")));
            Assert.That(stored[1].Action, Is.EqualTo(FilterAction.SUPPRESS));
            Assert.That(afterNone, Is.Empty, "a NONE filter suppresses nothing");
            Assert.That(afterSuppress.Select(e => (e.Finding.VulnerabilityId, e.Status)), Is.EqualTo(new[] { ("CVE-2024-6119", FindingStatus.SUPPRESSED) }));
            Assert.That(findings.Select(f => (f.Finding.VulnerabilityId, f.Status, f.SuppressedByRuleId)), Is.EqualTo(new[]
                { ("CVE-2023-1", FindingStatus.ACTIVE, (string?)null), ("CVE-2024-6119", FindingStatus.SUPPRESSED, "f-suppress") }));
        });
    }

    [Test]
    public async Task Criteria_pages_are_full_until_the_last_and_resume_right_after_the_last_finding()
    {
        var a = Image('q', repository: "shop/web");
        var b = Image('r', repository: "shop/api");
        var c = Image('s', repository: "other/tool");
        // Every other finding is in zlib1g: the criteria drop them after the store's page, so pages must be refilled.
        var findings = Enumerable.Range(1, 12).Select(i => Finding($"CVE-2024-{i:D4}", (FindingSeverity)(i % 5), i % 2 == 0 ? "zlib1g" : "libssl3")).ToArray();
        await _lifecycle.ApplyScanAsync(Scan(a, T0, findings), default);
        await _lifecycle.ApplyScanAsync(Scan(b, T0.AddMinutes(1), findings[..6]), default);
        await _lifecycle.ApplyScanAsync(Scan(c, T0.AddMinutes(2), findings), default);
        var criteria = new FindingCriteria(
            EcrImageRepositoryName: [S(EQUALS, "shop/web"), S(EQUALS, "shop/api")],
            VulnerablePackages: [new PackageFilter(Name: S(NOT_EQUALS, "zlib1g"))]);
        var everything = await _store.QueryAsync(new ListFindings(new FindingFilter(), FindingSortField.FINDING_ARN, SortOrder.ASC, 1000, null));
        var expected = everything.Findings.Where(f => f.Image.Repository.StartsWith("shop/", StringComparison.Ordinal) && f.Finding.Package.Name != "zlib1g")
            .OrderBy(f => FindingRecord.SeverityRank(f.Finding.Severity)).ThenBy(f => f.FindingArn, StringComparer.Ordinal).ToList();

        var pages = new List<IReadOnlyList<FindingDetail>>();
        string? token = null;
        do
        {
            var page = await FindingCriteriaQuery.QueryAsync(_store,
                new ListFindings(new FindingFilter(), FindingSortField.SEVERITY, SortOrder.ASC, 4, token, criteria), Options, default, chunkSize: 3);
            Assert.That(page.ErrorMessage, Is.Null);
            pages.Add(page.Findings);
            token = page.NextToken;
        } while (token is not null);
        var byStatus = await FindingCriteriaQuery.QueryAsync(_store, new ListFindings(new FindingFilter(), FindingSortField.FINDING_STATUS, SortOrder.DESC, 100, null,
            new FindingCriteria(FindingStatus: [S(EQUALS, "SUPPRESSED")])), Options, default);

        Assert.Multiple(() =>
        {
            Assert.That(expected, Has.Count.EqualTo(9), "6 libssl3 findings in shop/web, 3 in shop/api");
            Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 4, 4, 1 }), "short only at the end");
            Assert.That(pages.SelectMany(p => p).Select(f => f.FindingArn), Is.EqualTo(expected.Select(f => f.FindingArn)), "no gaps, no repeats, in order");
            Assert.That(byStatus.Findings, Is.Empty);
            Assert.That(byStatus.NextToken, Is.Null);
        });
    }

    [Test]
    public async Task New_sort_fields_and_list_filters_order_and_select_in_the_store()
    {
        var a = Image('t', repository: "shop/web", registry: "harbor");
        var b = Image('u', repository: "shop/api");
        await _lifecycle.ApplyScanAsync(Scan(a, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")), default);
        await _lifecycle.ApplyScanAsync(Scan(b, T0, Finding("CVE-3", FindingSeverity.HIGH, "curl")), default);

        async Task<List<FindingDetail>> All(FindingFilter filter, FindingSortField field, SortOrder order)
        {
            var all = new List<FindingDetail>();
            string? token = null;
            do
            {
                var page = await _store.QueryAsync(new ListFindings(filter, field, order, 1, token));
                all.AddRange(page.Findings);
                token = page.NextToken;
            } while (token is not null);
            return all;
        }

        var byArn = await All(new FindingFilter(), FindingSortField.FINDING_ARN, SortOrder.DESC);
        var byRegistry = await All(new FindingFilter(), FindingSortField.ECR_IMAGE_REGISTRY, SortOrder.ASC);
        var inRepositories = await All(new FindingFilter(Repositories: ["shop/api", "nothing"]), FindingSortField.VULNERABILITY_ID, SortOrder.ASC);
        var inDigests = await All(new FindingFilter(ImageDigests: [a.Digest, b.Digest]), FindingSortField.FINDING_STATUS, SortOrder.ASC);
        var ids = byArn.Select(FindingPageToken.IdOf).ToList();
        var byId = await _store.GetFindingsAsync([ids[0], "no-such-id", ids[2]]);

        Assert.Multiple(() =>
        {
            Assert.That(byArn.Select(f => f.FindingArn), Is.EqualTo(byArn.Select(f => f.FindingArn).OrderByDescending(x => x, StringComparer.Ordinal)));
            Assert.That(byArn, Has.Count.EqualTo(3));
            Assert.That(byRegistry.Select(f => f.Image.Registry), Is.EqualTo(new[] { "harbor", "harbor", "local" }));
            Assert.That(inRepositories.Select(f => f.Finding.VulnerabilityId), Is.EqualTo(new[] { "CVE-3" }));
            Assert.That(inDigests, Has.Count.EqualTo(3));
            Assert.That(byId.Select(f => f.Arn), Is.EquivalentTo(new[] { byArn[0].FindingArn, byArn[2].FindingArn }));
        });
    }
}
