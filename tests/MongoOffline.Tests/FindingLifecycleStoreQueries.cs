using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The finding lifecycle store, driven as the lifecycle service drives it and through each query shape of the API.</summary>
public sealed class FindingLifecycleStoreQueries : StoreQueryFixture<IFindingLifecycleStore>
{
    private static readonly FindingArns Arns = new(new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "eu-central-1" }));

    protected override IFindingLifecycleStore CreateStore(MongoServiceDatabase database) => new MongoFindingLifecycleStore(database);

    protected override IFindingLifecycleStore Join(IFindingLifecycleStore store, UnitOfWork work) => store.In(work);

    protected override async Task DriveAsync(IFindingLifecycleStore store)
    {
        var image = Image();
        var lifecycle = new FindingLifecycleService(store, Arns, new FixedClock(T0));
        // A first scan: reads the (absent) image and the rules, then commits the revision and two findings in one transaction.
        var changes = await lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-2024-1", FindingSeverity.HIGH, "openssl"),
            Finding("CVE-2024-2", FindingSeverity.LOW, "zlib", fixedIn: null)), CancellationToken.None);
        Assert.That(changes, Has.Count.EqualTo(2));

        var key = ImageFindingKey(image);
        var written = Mongo.WrittenTo(MongoFindingLifecycleStore.FindingsCollection);
        Assert.That(written, Has.Count.EqualTo(2), "one document per finding");
        Mongo.Reply(MongoFindingLifecycleStore.FindingsCollection, [.. written]);
        var open = await store.ListOpenFindingsAsync();
        Assert.That(open.Select(f => f.Finding.VulnerabilityId), Is.EquivalentTo(new[] { "CVE-2024-1", "CVE-2024-2" }), "findings read back");

        Mongo.Reply(MongoFindingLifecycleStore.ImagesCollection, Mongo.WrittenTo(MongoFindingLifecycleStore.ImagesCollection)[^1]);
        var inventory = await store.GetInventoryAsync(key);
        Assert.That(inventory?.Packages.Select(p => p.Name), Is.EquivalentTo(new[] { "openssl", "zlib" }), "the inventory reads back");

        await store.UpdateFindingsAsync(open);
        Mongo.Reply(MongoFindingLifecycleStore.ImagesCollection, Mongo.WrittenTo(MongoFindingLifecycleStore.ImagesCollection)[^1]);
        Mongo.Reply(MongoFindingLifecycleStore.FindingsCollection, [.. written]);
        var state = await store.GetImageAsync(key);
        Assert.That((state.Revision, state.AppliedScanId), Is.EqualTo((1L, (Guid?)ScanId)));

        // Each filter field and sort of the API, a first page and a next page.
        var everyFilter = new FindingFilter([FindingSeverity.HIGH], [FindingStatus.ACTIVE], "CVE-2024-1", "openssl", image.Registry, "team/*",
            image.Digest, FixAvailable.YES, "sha256:" + new string('1', 64));
        foreach (var filter in new[] { new FindingFilter(), everyFilter, new FindingFilter(ImageDigest: image.Digest), new FindingFilter(VulnerabilityId: "CVE-2024-1"),
                     new FindingFilter(PackageName: "openssl"), new FindingFilter(Repository: "team/app"), new FindingFilter(Statuses: [FindingStatus.ACTIVE]),
                     new FindingFilter(Repositories: ["team/app", "team/api"], ImageDigests: [image.Digest]) })
            await store.QueryAsync(new ListFindings(filter, FindingSortField.SEVERITY, SortOrder.DESC, 50, null));
        foreach (var sort in Enum.GetValues<FindingSortField>())
        {
            var token = FindingPageToken.Encode(sort, SortOrder.ASC, FindingPageToken.IsNumeric(sort) ? "3" : "m", "finding-id");
            await store.QueryAsync(new ListFindings(new FindingFilter(ImageDigest: image.Digest), sort, SortOrder.ASC, 100, token));
        }
        // BatchGetFindingDetails: the rows by id.
        Mongo.Reply(MongoFindingLifecycleStore.FindingsCollection, [.. written]);
        Assert.That((await store.GetFindingsAsync([open[0].Id, "no-such-id"])).Select(f => f.Id), Does.Contain(open[0].Id));
        foreach (var countKey in Enum.GetValues<FindingCountKey>())
            await store.CountAsync(new FindingFilter(Registry: image.Registry), countKey);

        var rule = new SuppressionRule("rule-1", "accepted", "vendor says not reachable", new SuppressionFilter(VulnerabilityIds: ["CVE-2024-2"]), null, T0, T0);
        await store.SaveRuleAsync(rule);
        Mongo.Reply(MongoFindingLifecycleStore.RulesCollection, Mongo.WrittenTo(MongoFindingLifecycleStore.RulesCollection)[^1]);
        Assert.That(Json(await store.ListRulesAsync()), Is.EqualTo(Json(new[] { rule })), "the rule reads back");
        // An Inspector filter: criteria, action, description and tags in the same document.
        var filterRule = new SuppressionRule("rule-2", "accept-openssl", "", null, null, T0, T0,
            new FindingCriteria(VulnerabilityId: [new StringFilter(StringFilterComparison.PREFIX, "CVE-2024-")], FirstObservedAt: [new DateFilter(T0, null)]),
            FilterAction.NONE, "saved view", new Dictionary<string, string> { ["team"] = "payments" });
        await store.SaveRuleAsync(filterRule);
        Mongo.Reply(MongoFindingLifecycleStore.RulesCollection, Mongo.WrittenTo(MongoFindingLifecycleStore.RulesCollection)[^1]);
        Assert.That(Json(await store.ListRulesAsync()), Is.EqualTo(Json(new[] { filterRule })), "the filter reads back");
        Assert.That(await store.DeleteRuleAsync("rule-1"), Is.True);
    }

    /// <summary>As the ImageScanned consumer runs it: the lifecycle on the store joined to the consumer's unit of work.</summary>
    protected override async Task DriveInWorkAsync(IFindingLifecycleStore joined, UnitOfWork work)
    {
        var lifecycle = new FindingLifecycleService(joined, Arns, new FixedClock(T0));
        await lifecycle.ApplyScanAsync(Scan(Image('b'), T0, Finding("CVE-2024-3", FindingSeverity.CRITICAL, "libc6")), CancellationToken.None);
        await joined.UpdateFindingsAsync([]);
    }

    private static string ImageFindingKey(ImageRef image) => $"{image.Registry}/{image.Repository}@{image.Digest}";
}
