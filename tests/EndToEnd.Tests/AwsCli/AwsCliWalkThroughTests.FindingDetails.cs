using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests.Inspector2;
using static ImageScanning.EndToEnd.Tests.AwsCli.InspectorJson;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>
/// What Debian's old CLI model cannot send (BatchGetFindingDetails, current SortField values, a NONE filter with tags), with the
/// real AWS SDK for JavaScript's current Inspector2 client against the same platform and findings.
/// </summary>
public abstract partial class AwsCliWalkThroughTests
{
    [Test, Order(6)]
    public async Task Step06b_the_javascript_sdk_reads_finding_details_and_keeps_a_none_filter_that_suppresses_nothing()
    {
        if (await AwsSdkInspector2.EnsureInstalledAsync() is { } missing) Assert.Fail(missing + " (tests/run.sh installs nodejs and npm)");
        var ecr = Repositories.SelectMany(EcrFindings).Take(2).ToList();
        Assert.That(ecr, Has.Count.EqualTo(2), "step 4 found findings");
        var unknown = $"arn:aws:inspector2:{Region}:{AccountId}:finding/{new string('0', 32)}";
        var results = await AwsSdkInspector2.RunScriptAsync(new()
        {
            ["ENDPOINT"] = _platform.GatewayUrl.ToString().TrimEnd('/'), ["REGION"] = Region,
            ["ACCESS_KEY_ID"] = AccessKeyId, ["SECRET_ACCESS_KEY"] = SecretAccessKey,
            ["FINDING_ARNS"] = string.Join(',', ecr.Select(f => Arn(f))), ["UNKNOWN_ARN"] = unknown,
            ["UNKNOWN_FILTER_ARN"] = $"arn:aws:inspector2:{Region}:{AccountId}:owner/{AccountId}/filter/no-such-filter",
        });
        JsonNode Ok(string step) => results[step]?["ok"] ?? throw new AssertionException($"{step}: {results[step]?.ToJsonString()}");
        JsonNode Error(string step) => results[step]?["error"] ?? throw new AssertionException($"{step} did not fail: {results[step]?.ToJsonString()}");

        var details = Ok("details");
        var filters = Ok("filters")["filters"]!.AsArray();
        Assert.Multiple(() =>
        {
            var found = details["findingDetails"]!.AsArray();
            Assert.That(found.Select(d => (string?)d!["findingArn"]), Is.EqualTo(ecr.Select(f => Arn(f))));
            foreach (var (detail, finding) in found.Zip(ecr))
            {
                var sourceUrl = (string?)finding["packageVulnerabilityDetails"]!["sourceUrl"];
                Assert.That(detail!["referenceUrls"]?.AsArray().Select(u => (string?)u), Is.EqualTo(sourceUrl is null ? null : new[] { sourceUrl }));
                Assert.That(detail["epssScore"], Is.Null, "no EPSS imported: absent, not made up");
                Assert.That(detail["cwes"], Is.Null);
            }
            var errors = details["errors"]!.AsArray();
            Assert.That(errors.Select(e => ((string?)e!["findingArn"], (string?)e["errorCode"])), Is.EqualTo(new[]
                { ((string?)unknown, (string?)"FINDING_DETAILS_NOT_FOUND"), ("not-an-arn", "INVALID_INPUT") }));
            Assert.That(errors.Select(e => (string?)e!["errorMessage"]), Has.All.Not.Empty);
            Assert.That(((string?)Error("tooMany")["name"], (int?)Error("tooMany")["status"]), Is.EqualTo(("ValidationException", (int?)400)));
            Assert.That((string?)Error("listed")["name"], Is.EqualTo("ValidationException"), "INSPECTOR_SCORE is not a sort the store has");
            Assert.That(Items(Ok("listedById").AsObject(), "findings").Select(f => Arn(f)), Is.EqualTo(new[] { Arn(ecr[0]) }));
            var none = filters.Single(f => (string?)f!["arn"] == (string?)Ok("noneFilter")["arn"])!;
            Assert.That(((string?)none["action"], (string?)none["name"], (string?)none["tags"]?["team"]), Is.EqualTo(("NONE", "saved-view", "walk")));
            Assert.That((string?)none["ownerId"], Is.EqualTo(AccountId));
            Assert.That(none["createdAt"], Is.Not.Null);
            Assert.That(Items(Ok("afterNone").AsObject(), "findings"), Is.Empty, "a NONE filter suppresses nothing");
            Assert.That((string?)Ok("deleteNone")["arn"], Is.EqualTo((string?)Ok("noneFilter")["arn"]));
            Assert.That(((string?)Error("deleteUnknown")["name"], (int?)Error("deleteUnknown")["status"]), Is.EqualTo(("ResourceNotFoundException", (int?)404)));
        });
    }
}
