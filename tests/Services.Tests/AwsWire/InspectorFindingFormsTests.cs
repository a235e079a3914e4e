using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Services.Tests.AwsWire;

/// <summary>
/// The one Inspector finding renderer: the four places that show a finding (Inspector2, ECR, REST, EventBridge) differ only in
/// what their wire formats prescribe — timestamps, ECR's score names, Inspector's partition and region — and never in content.
/// </summary>
public sealed class InspectorFindingFormsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 30, 15, 250, TimeSpan.Zero);
    private static readonly AwsAccount Account = new(new AwsOptions
    {
        AccountId = "123456789012", Region = "us-west-2",
        Registries = [new AwsRegistryMapping { RegistryId = "210987654321", Registry = "mirror" }],
    });

    private static FindingDetail Finding(string registry = "local", string? packageManager = "OS", string? cvssVersion = "3.1") => new(
        "arn:aws:inspector2:us-west-2:123456789012:finding/0123456789abcdef0123456789abcdef", FindingStatus.ACTIVE, FixAvailable.YES,
        new ImageRef(registry, "scanrepo-prod", "sha256:" + new string('a', 64), ["v1"]), ScanType.ENHANCED,
        new VulnerabilityFinding("CVE-2024-6119", ["DSA-5764-1"], FindingSeverity.HIGH, "openssl: denial of service", "Possible denial of service in X.509 name checks",
            "https://security-tracker.debian.org/tracker/CVE-2024-6119", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "3.0.14-1~deb12u1",
            new PackageRecord("libssl3", "3.0.11-1~deb12u2", "deb", "Debian:12", "openssl", "3.0.11-1~deb12u2", "amd64",
                "var/lib/dpkg/status", "sha256:" + new string('1', 64), PackageManager: packageManager),
            cvssVersion, "medium"),
        null, T0.AddDays(-2), T0.AddHours(-1), T0, null);

    /// <summary>The content, with what each form renders its own way taken out.</summary>
    private static string Content(JsonObject rendered)
    {
        var json = rendered.DeepClone().AsObject();
        foreach (var time in new[] { "firstObservedAt", "lastObservedAt", "updatedAt" }) json.Remove(time);
        if (json.Remove("score", out var score)) json["inspectorScore"] = score;
        if (json.Remove("scoreDetails", out var details))
        {
            var cvss = details!["cvss"]!.DeepClone().AsObject();
            cvss["cvssSource"] = "NVD"; // Inspector's adjustedCvss names the CVSS source as well
            json["inspectorScoreDetails"] = new JsonObject { ["adjustedCvss"] = cvss };
        }
        var resource = json["resources"]![0]!.AsObject();
        resource.Remove("partition");
        resource.Remove("region");
        resource["details"]!["awsEcrContainerImage"]!.AsObject().Remove("pushedAt");
        return Canonical(json)!.ToJsonString();
    }

    /// <summary>Members in name order at every level: the forms may order them differently, JSON does not care.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    [Test]
    public void Every_form_renders_the_same_finding()
    {
        var forms = Enum.GetValues<InspectorFindingForm>().ToDictionary(f => f, f => InspectorFindingJson.Render(Finding(), Account, f, T0.AddDays(-3)));
        var inspector = Content(forms[InspectorFindingForm.Inspector2Api]);
        Assert.Multiple(() =>
        {
            foreach (var (form, json) in forms) Assert.That(Content(json), Is.EqualTo(inspector), form.ToString());
        });
    }

    [Test]
    public void Each_form_writes_timestamps_and_names_as_its_wire_format_does()
    {
        var inspector = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.Inspector2Api, T0);
        var ecr = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.EcrApi, T0);
        var events = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.EventBridge, T0);
        var rest = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.RestApi, T0);
        Assert.Multiple(() =>
        {
            Assert.That(inspector["updatedAt"]!.ToJsonString(), Is.EqualTo("1796635815.25"), "epoch seconds with milliseconds");
            Assert.That(ecr["updatedAt"]!.ToJsonString(), Is.EqualTo("1796635815.25"));
            Assert.That((string?)events["updatedAt"], Is.EqualTo("Mon Dec 07 09:30:15.250 UTC 2026"), "Inspector's display form");
            Assert.That((DateTimeOffset?)rest["updatedAt"], Is.EqualTo(T0), "ISO 8601");
            Assert.That(ecr.ContainsKey("score") && !ecr.ContainsKey("inspectorScore"), Is.True, "ECR's EnhancedImageScanFinding says score");
            Assert.That(ecr["resources"]![0]!.AsObject().ContainsKey("partition"), Is.False, "ECR's Resource has no partition");
            Assert.That((string?)inspector["resources"]![0]!["region"], Is.EqualTo("us-west-2"));
        });
    }

    [Test]
    public void The_arns_account_and_registry_are_the_one_aws_identity()
    {
        var json = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.Inspector2Api);
        var mirrored = InspectorFindingJson.Render(Finding("mirror"), Account, InspectorFindingForm.Inspector2Api);
        var image = json["resources"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)json["awsAccountId"], Is.EqualTo("123456789012"));
            Assert.That((string?)image["id"], Is.EqualTo("arn:aws:ecr:us-west-2:123456789012:repository/scanrepo-prod/sha256:" + new string('a', 64)));
            Assert.That((string?)image["details"]!["awsEcrContainerImage"]!["registry"], Is.EqualTo("123456789012"));
            Assert.That((string?)mirrored["resources"]![0]!["details"]!["awsEcrContainerImage"]!["registry"], Is.EqualTo("210987654321"),
                "a registry with its own id (Aws:Registries) keeps it");
        });
    }

    [Test]
    public void Cvss_version_package_manager_and_vendor_severity_come_from_the_finding()
    {
        var details = InspectorFindingJson.Render(Finding(), Account, InspectorFindingForm.Inspector2Api)["packageVulnerabilityDetails"]!;
        var old = InspectorFindingJson.Render(Finding(packageManager: null, cvssVersion: null), Account, InspectorFindingForm.Inspector2Api)["packageVulnerabilityDetails"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)details["cvss"]![0]!["version"], Is.EqualTo("3.1"));
            Assert.That((string?)details["vulnerablePackages"]![0]!["packageManager"], Is.EqualTo("OS"));
            Assert.That((string?)details["vendorSeverity"], Is.EqualTo("medium"), "the advisory's own word");
            Assert.That((string?)details["source"], Is.EqualTo("DEBIAN_CVE"));
            Assert.That((string?)old["cvss"]![0]!["version"], Is.EqualTo("3.1"), "a finding stored before CvssVersion: read off the vector");
            Assert.That((string?)old["vulnerablePackages"]![0]!["packageManager"], Is.EqualTo("OS"), "…and the package type's table");
        });
    }
}
