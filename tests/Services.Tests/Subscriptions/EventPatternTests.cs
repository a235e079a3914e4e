using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Patterns;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// EventBridge pattern semantics, table-driven: AWS's documented patterns against AWS's documented events, and the
/// rules users write for ECR and Inspector against the envelopes this platform renders.
/// </summary>
public sealed class EventPatternTests
{
    private static readonly Dictionary<string, JsonNode> Events = new()
    {
        ["aws-ecr-scan"] = JsonNode.Parse(SampleEvents.AwsEcrImageScan)!,
        ["aws-inspector-scan"] = JsonNode.Parse(SampleEvents.AwsInspectorScan)!,
        ["aws-inspector-finding"] = JsonNode.Parse(SampleEvents.AwsInspectorFinding)!,
        ["aws-ec2"] = JsonNode.Parse(SampleEvents.AwsEc2StateChange)!,
        ["our-basic-scan"] = Reparse(EventBridgeEnvelopes.Render(SampleEvents.Scan("prod/api"), SampleEvents.Options)),
        ["our-enhanced-scan"] = Reparse(EventBridgeEnvelopes.Render(SampleEvents.Scan("dev/api", ScanType.ENHANCED), SampleEvents.Options)),
        ["our-high-finding"] = Reparse(InspectorFindingEnvelope.Render(SampleEvents.Change(SampleEvents.OpensslFinding), SampleEvents.Options)),
        ["our-low-closed-finding"] = Reparse(InspectorFindingEnvelope.Render(
            SampleEvents.Change(SampleEvents.ZlibFinding, FindingChangeKind.CLOSED, "dev/api"), SampleEvents.Options)),
    };

    private static JsonNode Reparse(JsonObject envelope) => JsonNode.Parse(envelope.ToJsonString())!;

    private static IEnumerable<TestCaseData> Cases()
    {
        // AWS's documented content-filtering examples, on the EC2 event they are written for.
        yield return Case("""{"time":[{"prefix":"2017-10-02"}]}""", "aws-ec2", true);
        yield return Case("""{"time":[{"prefix":"2017-10-03"}]}""", "aws-ec2", false);
        yield return Case("""{"detail":{"FileName":[{"suffix":".png"}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".PNG"}}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"state":[{"anything-but":"initializing"}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"state":[{"anything-but":["stopped","pending"]}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"state":[{"anything-but":{"prefix":"pend"}}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"x-limit":[{"anything-but":123}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"x-limit":[{"anything-but":301.8}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"c-count":[{"numeric":[">",5,"<=",10]}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",20]}]}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",10]}]}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"state":[{"exists":true}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"state":[{"exists":false}]}}""", "aws-ec2", false);
        yield return Case("""{"detail":{"not-there":[{"exists":false}]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"not-there":[{"anything-but":"x"}]}}""", "aws-ec2", false);
        yield return Case("""{"source":["aws.ec2"],"detail":{"state":["pending","running"]}}""", "aws-ec2", true);
        yield return Case("""{"detail":{"instance-id":[{"wildcard":"i-*def0"}]}}""", "aws-ec2", true);

        // ECR and Inspector rules as users write them, on AWS's own events...
        yield return Case("""{"source":["aws.ecr"],"detail-type":["ECR Image Scan"]}""", "aws-ecr-scan", true);
        yield return Case("""{"detail-type":["ECR Image Scan"],"detail":{"finding-severity-counts":{"CRITICAL":[{"numeric":[">",0]}]}}}""", "aws-ecr-scan", true);
        yield return Case("""{"detail-type":["ECR Image Scan"],"detail":{"finding-severity-counts":{"HIGH":[{"exists":true}]}}}""", "aws-ecr-scan", false);
        yield return Case("""{"detail":{"image-tags":["ubuntu22"]}}""", "aws-inspector-scan", true);
        yield return Case("""{"detail":{"repository-name":[{"suffix":"/inspector2"}]}}""", "aws-inspector-scan", true);
        yield return Case("""{"detail-type":["Inspector2 Finding"],"detail":{"severity":["HIGH","CRITICAL"]}}""", "aws-inspector-finding", false);
        yield return Case("""{"detail":{"packageVulnerabilityDetails":{"vulnerablePackages":{"name":["openssl"]}}}}""", "aws-inspector-finding", true);
        yield return Case("""{"detail":{"resources":{"details":{"awsEcrContainerImage":{"repositoryName":["inspector2"]}}}}}""", "aws-inspector-finding", true);
        yield return Case("""{"detail":{"epss":{"score":[{"numeric":["<",0.001]}]}}}""", "aws-inspector-finding", true);

        // ...and on the envelopes this platform renders.
        yield return Case("""{"detail-type":["ECR Image Scan"],"detail":{"repository-name":[{"prefix":"prod/"}]}}""", "our-basic-scan", true);
        yield return Case("""{"detail-type":["ECR Image Scan"],"detail":{"repository-name":[{"prefix":"prod/"}]}}""", "our-enhanced-scan", false);
        yield return Case("""{"detail":{"finding-severity-counts":{"HIGH":[{"numeric":[">=",1]}]}}}""", "our-basic-scan", true);
        yield return Case("""{"detail":{"vulnerabilities":{"vulnerability-id":["CVE-2024-6119"]}}}""", "our-basic-scan", true);
        yield return Case("""{"detail":{"vulnerabilities":{"package-name":[{"prefix":"libc"}]}}}""", "our-basic-scan", false);
        yield return Case("""{"source":["aws.inspector2"],"detail":{"finding-severity-counts":{"TOTAL":[{"numeric":[">",1]}]}}}""", "our-enhanced-scan", true);
        yield return Case("""{"detail-type":["Inspector2 Finding"],"detail":{"severity":["HIGH","CRITICAL"]}}""", "our-high-finding", true);
        yield return Case("""{"detail-type":["Inspector2 Finding"],"detail":{"severity":["HIGH","CRITICAL"]}}""", "our-low-closed-finding", false);
        yield return Case("""{"detail-type":["Inspector2 Finding"],"detail":{"status":[{"anything-but":"CLOSED"}]}}""", "our-low-closed-finding", false);
        yield return Case("""{"detail":{"status":["CLOSED"],"fixAvailable":["NO"]}}""", "our-low-closed-finding", true);
        yield return Case("""{"detail":{"packageVulnerabilityDetails":{"cvss":{"baseScore":[{"numeric":[">=",7]}]}}}}""", "our-high-finding", true);
        yield return Case("""{"detail":{"resources":{"details":{"awsEcrContainerImage":{"repositoryName":[{"prefix":"prod/"}]}}}}}""", "our-high-finding", true);
        yield return Case("""{"$or":[{"detail-type":["ECR Image Scan"]},{"detail":{"fixAvailable":["YES"]}}]}""", "our-high-finding", true);
        yield return Case("""{"$or":[{"detail-type":["ECR Image Scan"]},{"detail":{"fixAvailable":["YES"]}}]}""", "our-low-closed-finding", false);
    }

    private static TestCaseData Case(string pattern, string eventName, bool matches) =>
        new TestCaseData(pattern, eventName).Returns(matches).SetName($"{(matches ? "matches" : "no match")}: {eventName} {pattern}");

    [TestCaseSource(nameof(Cases))]
    public bool Pattern_matches_like_EventBridge(string pattern, string eventName) => EventPattern.Parse(pattern).Matches(Events[eventName]);

    [TestCase("not json", "not valid JSON")]
    [TestCase("[]", "must be a JSON object")]
    [TestCase("{}", "at least one field")]
    [TestCase("""{"source":"aws.ecr"}""", "$.source must be an array")]
    [TestCase("""{"source":[]}""", "$.source is an empty array")]
    [TestCase("""{"detail":{}}""", "$.detail is an empty object")]
    [TestCase("""{"source":[{"contains":"ecr"}]}""", "unsupported operator \"contains\"")]
    [TestCase("""{"source":[{"prefix":1}]}""", "\"prefix\" takes a string")]
    [TestCase("""{"n":[{"numeric":[">"]}]}""", "\"numeric\" takes")]
    [TestCase("""{"n":[{"numeric":["<",5,">",1]}]}""", "lower bound")]
    [TestCase("""{"n":[{"exists":"yes"}]}""", "\"exists\" takes true or false")]
    [TestCase("""{"n":[{"prefix":"a","suffix":"b"}]}""", "exactly one operator")]
    [TestCase("""{"$or":[{"a":["x"]}]}""", "$.$or must be an array of at least two")]
    public void A_bad_pattern_is_refused_with_a_message_that_says_where(string pattern, string expected)
    {
        var error = Assert.Throws<EventPatternException>(() => EventPattern.Parse(pattern));
        Assert.That(error!.Message, Does.Contain(expected));
    }
}
