using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// The envelopes carry every field AWS's documented events carry (INTERFACES §3.2, §3.4, §3.5), under the same names,
/// so rules and handlers written for ECR and Inspector read them unchanged; and they name the real vulnerabilities.
/// </summary>
public sealed class EnvelopeShapeTests
{
    /// <summary>Every key path of a JSON document ("detail.resources[].id"), arrays collapsed.</summary>
    private static SortedSet<string> Paths(JsonNode? node, string prefix = "")
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var path = prefix.Length == 0 ? key : prefix + "." + key;
                    paths.Add(path);
                    paths.UnionWith(Paths(value, path));
                }
                break;
            case JsonArray a:
                foreach (var item in a) paths.UnionWith(Paths(item, prefix + "[]"));
                break;
        }
        return paths;
    }

    private static SortedSet<string> Without(SortedSet<string> paths, params string[] prefixes) =>
        new(paths.Where(p => !prefixes.Any(x => p == x || p.StartsWith(x + ".", StringComparison.Ordinal) || p.StartsWith(x + "[]", StringComparison.Ordinal))), StringComparer.Ordinal);

    [Test]
    public void Ecr_image_scan_has_every_documented_field_and_names_the_vulnerabilities()
    {
        var ours = EventBridgeEnvelopes.Render(SampleEvents.Scan("prod/api"), SampleEvents.Options);
        var aws = JsonNode.Parse(SampleEvents.AwsEcrImageScan)!;
        var severities = Paths(ours).Where(p => p.StartsWith("detail.finding-severity-counts.", StringComparison.Ordinal)).ToArray();

        Assert.That(Without(Paths(ours), ["detail.vulnerabilities", .. severities]),
            Is.EqualTo(Without(Paths(aws), "detail.finding-severity-counts.CRITICAL", "detail.finding-severity-counts.MEDIUM")));
        AssertNamesTheVulnerabilities(ours["detail"]!["vulnerabilities"]!.AsArray());
        Assert.That(ours["detail"]!["finding-severity-counts"]!.ToJsonString(), Is.EqualTo("""{"LOW":1,"HIGH":1}"""));
    }

    [Test]
    public void Inspector2_scan_has_every_documented_field_and_names_the_vulnerabilities()
    {
        var ours = EventBridgeEnvelopes.Render(SampleEvents.Scan("prod/api", ScanType.ENHANCED), SampleEvents.Options);
        var aws = JsonNode.Parse(SampleEvents.AwsInspectorScan)!;

        Assert.That(Without(Paths(ours), "detail.vulnerabilities"), Is.EqualTo(Paths(aws)));
        AssertNamesTheVulnerabilities(ours["detail"]!["vulnerabilities"]!.AsArray());
    }

    private static void AssertNamesTheVulnerabilities(JsonArray vulnerabilities)
    {
        Assert.That(vulnerabilities.Select(v => v!.ToJsonString()), Is.EqualTo(new[]
        {
            """{"vulnerability-id":"CVE-2024-6119","severity":"HIGH","package-name":"libssl3","package-version":"3.0.11-1~deb12u2","fixed-in-version":"3.0.14-1~deb12u1"}""",
            """{"vulnerability-id":"CVE-2023-45853","severity":"LOW","package-name":"zlib1g","package-version":"1:1.2.13.dfsg-1","fixed-in-version":null}""",
        }));
    }

    [Test]
    public void Inspector2_finding_has_the_documented_fields_with_the_real_vulnerability_package_and_arn()
    {
        var change = SampleEvents.Change(SampleEvents.OpensslFinding, FindingChangeKind.UPDATED);
        var ours = InspectorFindingEnvelope.Render(change, SampleEvents.Options);
        var aws = JsonNode.Parse(SampleEvents.AwsInspectorFinding)!;
        // What the documented event carries that this platform has no data for (EPSS feed, vendor dates, rpm-style epoch and
        // release, per-package remediation commands, the image's platform, architecture and push time).
        string[] notAvailable =
        [
            "detail.epss", "detail.packageVulnerabilityDetails.vendorCreatedAt", "detail.packageVulnerabilityDetails.vulnerablePackages[].epoch",
            "detail.packageVulnerabilityDetails.vulnerablePackages[].release", "detail.packageVulnerabilityDetails.vulnerablePackages[].remediation",
            "detail.resources[].details.awsEcrContainerImage.platform", "detail.resources[].details.awsEcrContainerImage.pushedAt",
            "detail.resources[].details.awsEcrContainerImage.architecture",
        ];
        // The documented example's cvss list is empty; ours holds a score (also as inspectorScore, as the 2021 example has it), and
        // vulnerablePackages[].filePath is in the model (§2.1).
        string[] added =
        [
            "detail.inspectorScore", "detail.inspectorScoreDetails", "detail.inspectorScoreDetails.adjustedCvss",
            "detail.inspectorScoreDetails.adjustedCvss.adjustments", "detail.inspectorScoreDetails.adjustedCvss.cvssSource",
            "detail.inspectorScoreDetails.adjustedCvss.score", "detail.inspectorScoreDetails.adjustedCvss.scoreSource",
            "detail.inspectorScoreDetails.adjustedCvss.scoringVector", "detail.inspectorScoreDetails.adjustedCvss.version",
            "detail.packageVulnerabilityDetails.cvss[].baseScore", "detail.packageVulnerabilityDetails.cvss[].scoringVector",
            "detail.packageVulnerabilityDetails.cvss[].source", "detail.packageVulnerabilityDetails.cvss[].version",
            "detail.packageVulnerabilityDetails.vulnerablePackages[].filePath",
        ];

        Assert.That(Without(Paths(ours), added), Is.EqualTo(Without(Paths(aws), notAvailable)));
        var detail = ours["detail"]!;
        var package = detail["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)ours["detail-type"], Is.EqualTo("Inspector2 Finding"));
            Assert.That((string?)ours["source"], Is.EqualTo("aws.inspector2"));
            Assert.That((string?)ours["time"], Is.EqualTo("2024-09-04T17:00:38Z"));
            Assert.That((string?)ours["resources"]![0], Is.EqualTo("arn:aws:ecr:eu-central-1:123456789012:repository/prod/api/sha256:" + new string('b', 64)));
            Assert.That((string?)detail["findingArn"], Is.EqualTo(change.FindingArn));
            Assert.That((string?)detail["title"], Is.EqualTo("CVE-2024-6119 - libssl3, openssl"));
            Assert.That((string?)detail["severity"], Is.EqualTo("HIGH"));
            Assert.That((string?)detail["status"], Is.EqualTo("ACTIVE"));
            Assert.That((string?)detail["fixAvailable"], Is.EqualTo("YES"));
            Assert.That((string?)detail["type"], Is.EqualTo("PACKAGE_VULNERABILITY"));
            Assert.That((string?)detail["firstObservedAt"], Is.EqualTo("Wed Sep 04 16:55:38.411 UTC 2024"));
            Assert.That((string?)detail["updatedAt"], Is.EqualTo("Wed Sep 04 17:00:38.411 UTC 2024"));
            Assert.That((string?)detail["packageVulnerabilityDetails"]!["vulnerabilityId"], Is.EqualTo("CVE-2024-6119"));
            Assert.That((string?)detail["packageVulnerabilityDetails"]!["source"], Is.EqualTo("DEBIAN_CVE"));
            Assert.That(detail["packageVulnerabilityDetails"]!["relatedVulnerabilities"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "DSA-5764-1" }));
            Assert.That((string?)package["name"], Is.EqualTo("libssl3"));
            Assert.That((string?)package["version"], Is.EqualTo("3.0.11-1~deb12u2"));
            Assert.That((string?)package["fixedInVersion"], Is.EqualTo("3.0.14-1~deb12u1"));
            Assert.That((string?)package["packageManager"], Is.EqualTo("OS"));
            Assert.That((string?)package["sourceLayerHash"], Is.EqualTo("sha256:" + new string('1', 64)));
            Assert.That((string?)detail["resources"]![0]!["details"]!["awsEcrContainerImage"]!["repositoryName"], Is.EqualTo("prod/api"));
        });
    }

    [Test]
    public void A_finding_event_id_is_stable_for_the_same_change_and_new_for_the_next()
    {
        var created = SampleEvents.Change(SampleEvents.OpensslFinding);
        var closed = created with { Change = FindingChangeKind.CLOSED, Status = FindingStatus.CLOSED, UpdatedAt = created.UpdatedAt.AddDays(1) };

        Assert.That(InspectorFindingEnvelope.EventId(created), Is.EqualTo(InspectorFindingEnvelope.EventId(created with { })));
        Assert.That(InspectorFindingEnvelope.EventId(closed), Is.Not.EqualTo(InspectorFindingEnvelope.EventId(created)));
        Assert.That(Guid.TryParse(InspectorFindingEnvelope.EventId(closed), out _), Is.True);
    }

    [Test]
    public void Unscored_vulnerabilities_are_untriaged_in_inspector_terms()
    {
        var unscored = SampleEvents.ZlibFinding with { Severity = FindingSeverity.UNDEFINED };
        var detail = InspectorFindingEnvelope.Render(SampleEvents.Change(unscored), SampleEvents.Options)["detail"]!;

        Assert.That((string?)detail["severity"], Is.EqualTo("UNTRIAGED"));
        Assert.That(detail["packageVulnerabilityDetails"]!["cvss"]!.AsArray(), Is.Empty);
        Assert.That((string?)detail["fixAvailable"], Is.EqualTo("NO"));
    }
}
