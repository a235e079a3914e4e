using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Ecr.Operations;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>The status a client sees while a scan's result is on its way, and the Inspector shape of enhanced findings.</summary>
public sealed class ScanFindingsShapeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static CatalogImage Image(ScanStatus? status) =>
        new("apps/web", Digest, ["v1"], "application/vnd.oci.image.manifest.v1+json", T0, status, status is null ? null : "catalog says", T0);

    private static readonly VulnerabilityFinding Log4Shell = new("CVE-2021-44228", ["GHSA-jfh8-c2jp-5v3q"], FindingSeverity.CRITICAL,
        "log4j-core: remote code execution", "JNDI lookups", "https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q", 10.0,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "2.15.0",
        new PackageRecord("org.apache.logging.log4j:log4j-core", "2.14.1", "maven", "Maven", null, null, null,
            "app/app.war/WEB-INF/lib/log4j-core-2.14.1.jar", "sha256:" + new string('2', 64)));

    private static ImageFindingsResult Result(ScanType type, ScanStatus status = ScanStatus.COMPLETE) =>
        new(true, null, type, status, "The scan was completed successfully.", T0, new Dictionary<FindingSeverity, int> { [FindingSeverity.CRITICAL] = 1 },
            [Log4Shell], T0.AddHours(-1));

    private static readonly ImageFindingsResult NotFound = new(false, null, null, null, null, null, new Dictionary<FindingSeverity, int>(), []);

    [Test]
    public void A_finished_scan_whose_findings_are_not_stored_yet_is_still_in_progress()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(ScanStatus.COMPLETE), NotFound).Status, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(ScanStatus.FAILED), NotFound).Status, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(null), NotFound).Status, Is.Null, "never scanned");
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(ScanStatus.IN_PROGRESS), Result(ScanType.BASIC)).Status,
                Is.EqualTo(ScanStatus.IN_PROGRESS), "a rescan runs: the previous result is not the current status");
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(ScanStatus.COMPLETE), Result(ScanType.BASIC)).Status, Is.EqualTo(ScanStatus.COMPLETE));
            Assert.That(ScanFindingsOperation.EffectiveStatus(Image(ScanStatus.COMPLETE), Result(ScanType.ENHANCED)).Status, Is.EqualTo(ScanStatus.ACTIVE));
        });
    }

    private const string Arn = "arn:aws:inspector2:eu-west-3:123456789012:finding/0123456789abcdef0123456789abcdef";

    private static FindingDetail Lifecycle(FindingStatus status, FixAvailable fix) =>
        new(Arn, status, fix, new ImageRef("local", "apps/web", Digest, ["v1"]), ScanType.ENHANCED, Log4Shell,
            status == FindingStatus.SUPPRESSED ? "rule-1" : null, T0.AddDays(-3), T0.AddHours(-2), T0.AddHours(-1), null);

    [Test]
    public void An_enhanced_finding_is_the_lifecycle_finding_in_inspectors_shape()
    {
        var account = new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "eu-west-3" });
        var json = InspectorFindingJson.Render(Lifecycle(FindingStatus.ACTIVE, FixAvailable.PARTIAL), account, InspectorFindingForm.EcrApi, T0);
        var suppressed = InspectorFindingJson.Render(Lifecycle(FindingStatus.SUPPRESSED, FixAvailable.YES), account, InspectorFindingForm.EcrApi, T0);
        var details = json["packageVulnerabilityDetails"]!;
        var package = details["vulnerablePackages"]![0]!;
        static string Seconds(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That((string?)json["findingArn"], Is.EqualTo(Arn), "Findings' ARN, not one made up here");
            Assert.That((string?)json["status"], Is.EqualTo("ACTIVE"));
            Assert.That((string?)suppressed["status"], Is.EqualTo("SUPPRESSED"));
            Assert.That((string?)json["fixAvailable"], Is.EqualTo("PARTIAL"), "Findings' verdict over every package");
            Assert.That(json["firstObservedAt"]!.ToJsonString(), Is.EqualTo(Seconds(T0.AddDays(-3))));
            Assert.That(json["lastObservedAt"]!.ToJsonString(), Is.EqualTo(Seconds(T0.AddHours(-2))));
            Assert.That(json["updatedAt"]!.ToJsonString(), Is.EqualTo(Seconds(T0.AddHours(-1))));
            Assert.That((string?)json["awsAccountId"], Is.EqualTo("123456789012"));
            Assert.That((string?)json["type"], Is.EqualTo("PACKAGE_VULNERABILITY"));
            Assert.That((string?)json["severity"], Is.EqualTo("CRITICAL"));
            Assert.That((double?)json["score"], Is.EqualTo(10.0));
            Assert.That((string?)details["vulnerabilityId"], Is.EqualTo("CVE-2021-44228"));
            Assert.That((string?)details["relatedVulnerabilities"]![0], Is.EqualTo("GHSA-jfh8-c2jp-5v3q"));
            Assert.That((string?)details["cvss"]![0]!["version"], Is.EqualTo("3.1"));
            Assert.That((string?)package["packageManager"], Is.EqualTo("JAR"));
            Assert.That((string?)package["fixedInVersion"], Is.EqualTo("2.15.0"));
            Assert.That((string?)package["filePath"], Is.EqualTo("app/app.war/WEB-INF/lib/log4j-core-2.14.1.jar"));
            Assert.That((string?)package["sourceLayerHash"], Is.EqualTo("sha256:" + new string('2', 64)));
            Assert.That((string?)json["resources"]![0]!["details"]!["awsEcrContainerImage"]!["imageHash"], Is.EqualTo(Digest));
        });
    }
}
