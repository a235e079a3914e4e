using System.Text.Json.Nodes;
using static ImageScanning.EndToEnd.Tests.AwsCli.InspectorJson;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>
/// The walk-through's Inspector2 steps (REST-JSON, SigV4 service inspector2, on the Gateway's URL): the same findings
/// ECR reported, read, filtered, counted, suppressed and configured through <c>aws inspector2</c>.
/// </summary>
public abstract partial class AwsCliWalkThroughTests
{
    /// <summary>Every finding list-findings gives for the criteria (the CLI follows nextToken itself).</summary>
    private async Task<List<JsonObject>> ListFindingsAsync(string criteria, params string[] more) =>
        Items(await _aws.OkAsync(["inspector2", "list-findings", "--filter-criteria", criteria, .. more]), "findings").Select(f => f.AsObject()).ToList();

    private Task<List<JsonObject>> RepositoryFindingsAsync(string repository, params (string Field, string Value)[] more) =>
        ListFindingsAsync(EqualsCriteria([("ecrImageRepositoryName", repository), .. more]));

    [Test, Order(6)]
    public async Task Step06_list_findings_filters_sorts_and_pages_the_findings_ecr_reported()
    {
        var ecr = Repositories.SelectMany(EcrFindings).ToList();
        var prod = await RepositoryFindingsAsync(Prod);
        var test = await RepositoryFindingsAsync(Test);
        var highProd = await RepositoryFindingsAsync(Prod, ("severity", "HIGH"));
        var criticalProd = await RepositoryFindingsAsync(Prod, ("severity", "CRITICAL"));
        var fixableProd = await RepositoryFindingsAsync(Prod, ("fixAvailable", "YES"));
        var lastAffected = await ListFindingsAsync(EqualsCriteria(("vulnerabilityId", TestAdvisories.LastAffected)));
        var bothRepositories = EqualsCriteria(("ecrImageRepositoryName", Prod), ("ecrImageRepositoryName", Test));
        var byId = await ListFindingsAsync(bothRepositories, "--sort-criteria", "field=VULNERABILITY_ID,sortOrder=ASC");
        var bySeverity = await ListFindingsAsync(bothRepositories, "--sort-criteria", "field=SEVERITY,sortOrder=DESC");
        // The CLI's own paging: two findings, one per request, then the rest from the CLI's NextToken.
        var firstPage = await _aws.OkAsync("inspector2", "list-findings", "--filter-criteria", bothRepositories,
            "--sort-criteria", "field=VULNERABILITY_ID,sortOrder=ASC", "--max-items", "2", "--page-size", "1");
        var rest = await _aws.OkAsync("inspector2", "list-findings", "--filter-criteria", bothRepositories,
            "--sort-criteria", "field=VULNERABILITY_ID,sortOrder=ASC", "--page-size", "1", "--starting-token", (string?)firstPage["NextToken"] ?? "");
        var paged = Items(firstPage, "findings").Concat(Items(rest, "findings")).Select(Arn).ToList();

        IEnumerable<string> EcrArns(string repository, Func<JsonObject, bool> where) => EcrFindings(repository).Where(where).Select(f => Arn(f));
        Assert.Multiple(() =>
        {
            Assert.That(prod.Select(f => Arn(f)), Is.EquivalentTo(EcrArns(Prod, _ => true)), "the ARNs ECR gave");
            Assert.That(test.Select(f => Arn(f)), Is.EquivalentTo(EcrArns(Test, _ => true)), "the ARNs ECR gave");
            foreach (var finding in prod.Concat(test))
            {
                var same = ecr.Single(f => Arn(f) == Arn(finding));
                Assert.That((string?)finding["severity"], Is.EqualTo((string?)same["severity"]), Arn(finding));
                Assert.That((string?)finding["status"], Is.EqualTo("ACTIVE"), Arn(finding));
                Assert.That((string?)finding["awsAccountId"], Is.EqualTo(AccountId));
                Assert.That(ResourceId(finding), Is.EqualTo(ResourceId(same)));
                Assert.That(VulnerabilityId(finding), Is.EqualTo(VulnerabilityId(same)));
                Assert.That((string?)Package(finding)["name"], Is.EqualTo((string?)Package(same)["name"]));
                Assert.That((string?)Package(finding)["sourceLayerHash"], Is.EqualTo((string?)Package(same)["sourceLayerHash"]));
                Assert.That((string?)Image(finding)["imageHash"], Is.EqualTo((string?)Image(same)["imageHash"]));
            }
            Assert.That(highProd, Is.Empty, "no test advisory is HIGH");
            Assert.That(criticalProd.Select(f => Arn(f)), Is.EquivalentTo(EcrArns(Prod, f => (string?)f["severity"] == "CRITICAL")));
            Assert.That(criticalProd.Select(f => VulnerabilityId(f)), Has.All.EqualTo(TestAdvisories.FixedRange).And.Not.Empty);
            Assert.That(fixableProd.Select(f => Arn(f)), Is.EquivalentTo(EcrArns(Prod, f => VulnerabilityId(f) == TestAdvisories.FixedRange)),
                "only the glibc advisory has a fixed version");
            Assert.That(lastAffected.Select(f => Arn(f)), Is.EquivalentTo(ecr.Where(f => VulnerabilityId(f) == TestAdvisories.LastAffected).Select(f => Arn(f))));
            Assert.That(byId.Select(f => VulnerabilityId(f)), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(byId.Select(f => Arn(f)), Is.EquivalentTo(ecr.Select(f => Arn(f))));
            Assert.That((string?)bySeverity[0]["severity"], Is.EqualTo("CRITICAL"), "most severe first");
            Assert.That(bySeverity.TakeWhile(f => (string?)f["severity"] == "CRITICAL").Count(), Is.EqualTo(ecr.Count(f => (string?)f["severity"] == "CRITICAL")));
            Assert.That(Items(firstPage, "findings"), Has.Count.EqualTo(2));
            Assert.That((string?)firstPage["NextToken"], Is.Not.Null, "more than two findings: the CLI hands out its token");
            Assert.That(paged, Is.EqualTo(byId.Select(f => Arn(f))), "page by page, the same findings in the same order");
        });
    }

    [Test, Order(7)]
    public async Task Step07_list_coverage_shows_the_prod_image_active_and_the_scan_on_push_image_inactive()
    {
        var imagesOnly = EqualsCriteria(("resourceType", "AWS_ECR_CONTAINER_IMAGE"));
        var covered = Items(await _aws.OkAsync("inspector2", "list-coverage", "--filter-criteria", imagesOnly), "coveredResources")
            .ToDictionary(r => (string)r["resourceMetadata"]!["ecrRepository"]!["name"]!);
        var inactive = Items(await _aws.OkAsync("inspector2", "list-coverage", "--filter-criteria",
            EqualsCriteria(("resourceType", "AWS_ECR_CONTAINER_IMAGE"), ("scanStatusCode", "INACTIVE"))), "coveredResources");
        var byStatus = await _aws.OkAsync("inspector2", "list-coverage-statistics", "--filter-criteria", imagesOnly, "--group-by", "SCAN_STATUS_CODE");
        var ofTest = await _aws.OkAsync("inspector2", "list-coverage-statistics", "--filter-criteria",
            EqualsCriteria(("resourceType", "AWS_ECR_CONTAINER_IMAGE"), ("ecrRepositoryName", Test)));
        Assert.Multiple(() =>
        {
            Assert.That(covered.Keys, Is.EquivalentTo(Repositories));
            foreach (var (repository, resource) in covered)
            {
                Assert.That((string?)resource["resourceId"], Is.EqualTo(ImageArn(repository)));
                Assert.That((string?)resource["accountId"], Is.EqualTo(AccountId));
                Assert.That((string?)resource["scanType"], Is.EqualTo("PACKAGE"));
                Assert.That(resource["resourceMetadata"]!["ecrImage"]!["tags"]!.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { Tag }));
            }
            Assert.That((string?)covered[Prod]["scanStatus"]!["statusCode"], Is.EqualTo("ACTIVE"));
            Assert.That((string?)covered[Prod]["scanStatus"]!["reason"], Is.EqualTo("SUCCESSFUL"));
            Assert.That((string?)covered[Prod]["resourceMetadata"]!["ecrRepository"]!["scanFrequency"], Is.EqualTo("CONTINUOUS_SCAN"));
            // Scanned once at push and never again (INTERFACES §2.2): not monitored.
            Assert.That((string?)covered[Test]["scanStatus"]!["statusCode"], Is.EqualTo("INACTIVE"));
            Assert.That((string?)covered[Test]["scanStatus"]!["reason"], Is.EqualTo("SCAN_FREQUENCY_SCAN_ON_PUSH"));
            Assert.That((string?)covered[Test]["resourceMetadata"]!["ecrRepository"]!["scanFrequency"], Is.EqualTo("SCAN_ON_PUSH"));
            Assert.That(inactive.Select(r => (string?)r["resourceId"]), Is.EqualTo(new[] { ImageArn(Test) }));
            Assert.That((long?)byStatus["totalCounts"], Is.EqualTo(2));
            Assert.That(Items(byStatus, "countsByGroup").Sum(c => (long?)c["count"] ?? 0), Is.EqualTo(2));
            Assert.That((long?)ofTest["totalCounts"], Is.EqualTo(1));
        });
    }

    [Test, Order(8)]
    public async Task Step08_finding_aggregations_count_what_list_findings_lists()
    {
        var active = (await ListFindingsAsync(EqualsCriteria(("findingStatus", "ACTIVE")))).Cast<JsonNode>().ToList();
        async Task<List<JsonNode>> Aggregate(string type) =>
            Items(await _aws.OkAsync("inspector2", "list-finding-aggregations", "--aggregation-type", type), "responses");

        var repositories = await Aggregate("REPOSITORY");
        var containers = await Aggregate("AWS_ECR_CONTAINER");
        var packages = await Aggregate("PACKAGE");
        var titles = await Aggregate("TITLE");
        var layers = await Aggregate("IMAGE_LAYER");

        // Each aggregation, keyed as its responses name their group, against list-findings grouped the same way.
        static Dictionary<string, (long, long, long, long)> Actual(List<JsonNode> responses, string member, Func<JsonNode, string> key) =>
            responses.ToDictionary(r => key(r[member]!), r => Counts(r[member]!["severityCounts"]!));
        Dictionary<string, (long, long, long, long)> Expected(Func<JsonNode, string> key) =>
            active.GroupBy(key).ToDictionary(g => g.Key, g => Counts(g));
        Assert.Multiple(() =>
        {
            Assert.That(active, Has.Count.EqualTo(2 * _advisories.ExpectedFindings.Count), "nothing suppressed yet");
            Assert.That(Actual(repositories, "repositoryAggregation", r => (string)r["repository"]!),
                Is.EquivalentTo(Expected(f => (string)Image(f)["repositoryName"]!)));
            Assert.That(repositories.Select(r => (long?)r["repositoryAggregation"]!["affectedImages"]), Has.All.EqualTo(1));
            Assert.That(Actual(containers, "awsEcrContainerAggregation", r => (string)r["resourceId"]!), Is.EquivalentTo(Expected(ResourceId)));
            Assert.That(containers.Select(r => (string?)r["awsEcrContainerAggregation"]!["imageSha"]),
                Is.EquivalentTo(Repositories.Select(r => Pushed(r).Digest)));
            Assert.That(Actual(packages, "packageAggregation", r => (string)r["packageName"]!), Is.EquivalentTo(Expected(f => (string)Package(f)["name"]!)));
            Assert.That(Actual(titles, "titleAggregation", r => $"{r["vulnerabilityId"]} {r["title"]}"),
                Is.EquivalentTo(Expected(f => $"{VulnerabilityId(f)} {f["title"]}")));
            Assert.That(Actual(layers, "imageLayerAggregation", r => $"{r["resourceId"]} {r["layerHash"]}"),
                Is.EquivalentTo(Expected(f => $"{ResourceId(f)} {Package(f)["sourceLayerHash"]}")));
            Assert.That(layers.Select(r => (string?)r["imageLayerAggregation"]!["accountId"]), Has.All.EqualTo(AccountId));
        });
    }

    [Test, Order(9)]
    public async Task Step09_a_suppress_filter_turns_its_findings_suppressed_until_it_is_deleted()
    {
        var ecr = Repositories.SelectMany(EcrFindings).ToList();
        var target = ecr.Where(f => VulnerabilityId(f) == TestAdvisories.LastAffected).Select(f => Arn(f)).ToList();
        Assert.That(target, Is.Not.Empty, "the CVE the filter names was found");
        var criteria = EqualsCriteria(("vulnerabilityId", TestAdvisories.LastAffected));
        var suppressed = EqualsCriteria(("findingStatus", "SUPPRESSED"));

        var created = await _aws.OkAsync("inspector2", "create-filter", "--action", "SUPPRESS", "--name", "accept-dpkg",
            "--filter-criteria", criteria, "--reason", "dpkg is not run in this image", "--description", "walk-through");
        var arn = (string?)created["arn"];
        var nowSuppressed = await WaitForFindingsAsync(suppressed, target.Count);
        var stillActive = await ListFindingsAsync(EqualsCriteria(("findingStatus", "ACTIVE")));
        var listed = (await _aws.OkAsync("inspector2", "list-filters", "--action", "SUPPRESS"))["filters"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(arn, Does.StartWith($"arn:aws:inspector2:{Region}:{AccountId}:owner/{AccountId}/filter/"));
            Assert.That(nowSuppressed.Select(f => Arn(f)), Is.EquivalentTo(target));
            Assert.That(nowSuppressed.Select(f => (string?)f["status"]), Has.All.EqualTo("SUPPRESSED"));
            Assert.That(stillActive.Select(f => Arn(f)), Is.EquivalentTo(ecr.Select(f => Arn(f)).Except(target)));
            Assert.That(listed.Select(f => (string?)f!["arn"]), Is.EqualTo(new[] { arn }));
            var filter = listed[0]!;
            Assert.That((string?)filter["name"], Is.EqualTo("accept-dpkg"));
            Assert.That((string?)filter["action"], Is.EqualTo("SUPPRESS"));
            Assert.That((string?)filter["reason"], Is.EqualTo("dpkg is not run in this image"));
            Assert.That((string?)filter["ownerId"], Is.EqualTo(AccountId));
            Assert.That(JsonNode.DeepEquals(filter["criteria"], JsonNode.Parse(criteria)), Is.True, filter.ToJsonString());
        });

        var updated = await _aws.OkAsync("inspector2", "update-filter", "--filter-arn", arn!, "--name", "accept-dpkg-reviewed", "--reason", "reviewed");
        var afterUpdate = (await _aws.OkAsync("inspector2", "list-filters", "--arns", arn!))["filters"]!.AsArray();
        var deleted = await _aws.OkAsync("inspector2", "delete-filter", "--arn", arn!);
        var back = await WaitForFindingsAsync(suppressed, 0);
        var active = await ListFindingsAsync(EqualsCriteria(("findingStatus", "ACTIVE")));
        var remaining = (await _aws.OkAsync("inspector2", "list-filters"))["filters"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((string?)updated["arn"], Is.EqualTo(arn));
            Assert.That((string?)afterUpdate.Single()!["name"], Is.EqualTo("accept-dpkg-reviewed"));
            Assert.That((string?)afterUpdate.Single()!["reason"], Is.EqualTo("reviewed"));
            Assert.That((string?)deleted["arn"], Is.EqualTo(arn));
            Assert.That(back, Is.Empty);
            Assert.That(active.Select(f => Arn(f)), Is.EquivalentTo(ecr.Select(f => Arn(f))), "every finding ACTIVE again, with its ARN");
            Assert.That(remaining, Is.Empty);
        });
    }

    /// <summary>list-findings until it gives <paramref name="count"/> findings (a filter's effect may lag by a moment).</summary>
    private async Task<List<JsonObject>> WaitForFindingsAsync(string criteria, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var findings = await ListFindingsAsync(criteria);
            if (findings.Count == count || DateTime.UtcNow > deadline) return findings;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [Test, Order(10)]
    public async Task Step10_update_configuration_sets_the_ecr_rescan_duration()
    {
        var before = await _aws.OkAsync("inspector2", "get-configuration");
        // Debian's awscli 2.9.19 carries the old model: rescanDuration is LIFETIME, DAYS_30 or DAYS_180, nothing else.
        var updated = await _aws.OkAsync("inspector2", "update-configuration", "--ecr-configuration", "rescanDuration=DAYS_30");
        var after = await _aws.OkAsync("inspector2", "get-configuration");
        var state = after["ecrConfiguration"]!["rescanDurationState"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)before["ecrConfiguration"]!["rescanDurationState"]!["rescanDuration"], Is.Not.Null);
            Assert.That(updated, Is.Empty, "UpdateConfiguration answers an empty body");
            Assert.That((string?)state["rescanDuration"], Is.EqualTo("DAYS_30"));
            Assert.That((string?)state["status"], Is.EqualTo("SUCCESS"));
            var updatedAt = DateTimeOffset.Parse((string)state["updatedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(updatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(10)));
        });
    }
}
