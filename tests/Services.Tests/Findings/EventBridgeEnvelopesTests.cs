using ImageScanning.ServiceDefaults.Aws;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>The envelopes must read like INTERFACES §3.2 and §3.4 so ECR/Inspector EventBridge rules match unchanged.</summary>
public sealed class EventBridgeEnvelopesTests
{
    private static readonly AwsAccount Options = new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "us-east-1" });

    private static ScanCompleted Scan(ScanType type, ScanStatus status, Dictionary<FindingSeverity, int> counts) => new(
        Guid.Parse("85fc3613-e913-7fc4-a80c-a3753e4aa9ae"),
        new ImageRef("local", "my-repository-name", "sha256:" + new string('7', 64), ["latest"]),
        type, ScanTrigger.PUSH, status, counts, null, DateTimeOffset.Parse("2019-10-29T02:36:48.123Z"));

    [Test]
    public void Basic_scan_renders_as_ecr_image_scan_with_only_non_zero_counts()
    {
        var json = EventBridgeEnvelopes.Render(Scan(ScanType.BASIC, ScanStatus.COMPLETE,
            new() { [FindingSeverity.CRITICAL] = 10, [FindingSeverity.MEDIUM] = 9, [FindingSeverity.LOW] = 0, [FindingSeverity.UNTRIAGED] = 2 }), Options);

        Assert.Multiple(() =>
        {
            Assert.That((string?)json["version"], Is.EqualTo("0"));
            Assert.That((string?)json["detail-type"], Is.EqualTo("ECR Image Scan"));
            Assert.That((string?)json["source"], Is.EqualTo("aws.ecr"));
            Assert.That((string?)json["account"], Is.EqualTo("123456789012"));
            Assert.That((string?)json["time"], Is.EqualTo("2019-10-29T02:36:48Z"));
            Assert.That(json["resources"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name" }));
            var detail = json["detail"]!.AsObject();
            Assert.That((string?)detail["scan-status"], Is.EqualTo("COMPLETE"));
            Assert.That((string?)detail["repository-name"], Is.EqualTo("my-repository-name"));
            Assert.That(detail["finding-severity-counts"]!.ToJsonString(), Is.EqualTo("{\"MEDIUM\":9,\"CRITICAL\":10,\"UNDEFINED\":2}"));
            Assert.That(detail["image-tags"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "latest" }));
        });
    }

    [Test]
    public void Enhanced_initial_scan_renders_as_inspector2_scan_with_the_repository_arn_quirk()
    {
        var json = EventBridgeEnvelopes.Render(Scan(ScanType.ENHANCED, ScanStatus.COMPLETE,
            new() { [FindingSeverity.HIGH] = 2, [FindingSeverity.LOW] = 3 }), Options);
        var detail = json["detail"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That((string?)json["detail-type"], Is.EqualTo("Inspector2 Scan"));
            Assert.That((string?)json["source"], Is.EqualTo("aws.inspector2"));
            Assert.That((string?)detail["scan-status"], Is.EqualTo("INITIAL_SCAN_COMPLETE"));
            Assert.That((string?)detail["repository-name"], Is.EqualTo("arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name"));
            Assert.That(JsonNode.DeepEquals(detail["finding-severity-counts"], JsonNode.Parse("{\"CRITICAL\":0,\"HIGH\":2,\"MEDIUM\":0,\"TOTAL\":5}")), Is.True);
            Assert.That((string?)detail["version"], Is.EqualTo("1.0"));
        });
    }

    [Test]
    public void A_failed_scan_says_failed_and_why()
    {
        var scan = Scan(ScanType.BASIC, ScanStatus.FAILED, []) with { FailureReason = "REGISTRY_UNREACHABLE" };
        var detail = EventBridgeEnvelopes.Render(scan, Options)["detail"]!.AsObject();

        Assert.That((string?)detail["scan-status"], Is.EqualTo("FAILED"));
        Assert.That((string?)detail["failure-reason"], Is.EqualTo("REGISTRY_UNREACHABLE"));
        Assert.That(detail["finding-severity-counts"]!.AsObject(), Is.Empty);
    }

    [Test]
    public void A_scan_that_failed_and_then_completed_announces_both_under_two_ids()
    {
        var failed = Scan(ScanType.BASIC, ScanStatus.FAILED, []) with { FailureReason = "UNEXPECTED" };
        var completed = failed with { Status = ScanStatus.COMPLETE, FailureReason = null };

        var failedId = (string?)EventBridgeEnvelopes.Render(failed, Options)["id"];
        var completedId = (string?)EventBridgeEnvelopes.Render(completed, Options)["id"];
        Assert.Multiple(() =>
        {
            Assert.That(completedId, Is.EqualTo(completed.ScanId.ToString()), "a result is announced under its scan id");
            Assert.That(failedId, Is.Not.EqualTo(completedId), "a subscriber that de-duplicates on id would drop the result");
            Assert.That((string?)EventBridgeEnvelopes.Render(failed, Options)["id"], Is.EqualTo(failedId), "the same failure, the same id");
        });
    }
}
