using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>Events as the platform's bus carries them, with real-looking Debian findings, and AWS's documented envelopes.</summary>
public static class SampleEvents
{
    public static readonly AwsAccount Options = new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "eu-central-1" });

    public static ImageRef Image(string repository, char digest = 'a') =>
        new("local", repository, "sha256:" + new string(digest, 64), ["bookworm"]);

    public static readonly PackageRecord Libssl = new("libssl3", "3.0.11-1~deb12u2", "deb", "Debian:12", "openssl", "3.0.11-1~deb12u2",
        "amd64", "var/lib/dpkg/status", "sha256:" + new string('1', 64));

    public static readonly PackageRecord Zlib = new("zlib1g", "1:1.2.13.dfsg-1", "deb", "Debian:12", "zlib", "1:1.2.13.dfsg-1",
        "amd64", "var/lib/dpkg/status", "sha256:" + new string('1', 64));

    public static VulnerabilityFinding OpensslFinding => new("CVE-2024-6119", ["DSA-5764-1"], FindingSeverity.HIGH,
        "Possible denial of service in X.509 name checks", "Possible denial of service in X.509 name checks",
        "https://security-tracker.debian.org/tracker/CVE-2024-6119", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "3.0.14-1~deb12u1", Libssl);

    public static VulnerabilityFinding ZlibFinding => new("CVE-2023-45853", [], FindingSeverity.LOW, null,
        "MiniZip in zlib through 1.3 has an integer overflow", "https://security-tracker.debian.org/tracker/CVE-2023-45853", null, null, null, Zlib);

    public static ScanCompleted Scan(string repository, ScanType type = ScanType.BASIC, char digest = 'a', ScanTrigger trigger = ScanTrigger.PUSH)
    {
        VulnerabilityFinding[] findings = [OpensslFinding, ZlibFinding];
        return new ScanCompleted(Guid.NewGuid(), Image(repository, digest), type, trigger, ScanStatus.COMPLETE,
            new Dictionary<FindingSeverity, int> { [FindingSeverity.HIGH] = 1, [FindingSeverity.LOW] = 1 }, null,
            DateTimeOffset.Parse("2026-11-28T05:00:00.250Z"),
            findings.Select(f => new ScanFindingSummary(f.VulnerabilityId, f.Severity, f.Package.Name, f.Package.Version, f.FixedInVersion)).ToList());
    }

    public static FindingChanged Change(VulnerabilityFinding finding, FindingChangeKind kind = FindingChangeKind.CREATED, string repository = "prod/api")
    {
        var observed = DateTimeOffset.Parse("2024-09-04T16:55:38.411Z");
        return new FindingChanged(
            "arn:aws:inspector2:eu-central-1:123456789012:finding/" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            kind, kind == FindingChangeKind.CLOSED ? FindingStatus.CLOSED : FindingStatus.ACTIVE,
            Image(repository, 'b'), ScanType.ENHANCED, finding, finding.FixedInVersion is null ? FixAvailable.NO : FixAvailable.YES,
            observed, observed, observed.AddMinutes(kind == FindingChangeKind.CREATED ? 0 : 5));
    }

    /// <summary>§3.2, AWS's documented "ECR Image Scan" event.</summary>
    public const string AwsEcrImageScan = """
        {"version":"0","id":"85fc3613-e913-7fc4-a80c-a3753e4aa9ae","detail-type":"ECR Image Scan",
         "source":"aws.ecr","account":"123456789012","time":"2019-10-29T02:36:48Z","region":"us-east-1",
         "resources":["arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name"],
         "detail":{"scan-status":"COMPLETE","repository-name":"my-repository-name",
           "finding-severity-counts":{"CRITICAL":10,"MEDIUM":9},
           "image-digest":"sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
           "image-tags":[]}}
        """;

    /// <summary>§3.4, AWS's documented "Inspector2 Scan" event.</summary>
    public const string AwsInspectorScan = """
        {"version":"0","id":"fdaa751a-984c-a709-44f9-9a9da9cd3606","detail-type":"Inspector2 Scan",
         "source":"aws.inspector2","account":"111122223333","time":"2023-01-20T23:15:18Z","region":"us-east-1",
         "resources":["arn:aws:ecr:us-east-1:111122223333:repository/inspector2"],
         "detail":{"scan-status":"INITIAL_SCAN_COMPLETE",
           "repository-name":"arn:aws:ecr:us-east-1:111122223333:repository/inspector2",
           "finding-severity-counts":{"CRITICAL":0,"HIGH":0,"MEDIUM":0,"TOTAL":0},
           "image-digest":"sha256:965fbcae990b0467ed5657caceaec165018ef44a4d2d46c7cdea80a9dff0d1ea",
           "image-tags":["ubuntu22"],"version":"1.0"}}
        """;

    /// <summary>§3.5, AWS's documented "Inspector2 Finding" event (digests shortened as in the source).</summary>
    public const string AwsInspectorFinding = """
        {"version":"0","id":"5325facf-a1aa-7d97-6bce-25fde6f6d2fc","detail-type":"Inspector2 Finding",
         "source":"aws.inspector2","account":"123456789012","time":"2024-09-04T16:55:38Z","region":"eu-central-1",
         "resources":["arn:aws:ecr:eu-central-1:123456789012:repository/inspector2/sha256:84f5085d"],
         "detail":{"awsAccountId":"123456789012","description":"Possible denial of service in X.509 name checks",
           "epss":{"score":0.00045},"exploitAvailable":"NO","fixAvailable":"YES",
           "findingArn":"arn:aws:inspector2:eu-central-1:123456789012:finding/0123456789abcdef0123456789abcdef",
           "firstObservedAt":"Wed Sep 04 16:55:38.411 UTC 2024","lastObservedAt":"Wed Sep 04 16:55:38.411 UTC 2024",
           "packageVulnerabilityDetails":{"cvss":[],"referenceUrls":["https://www.cve.org/CVERecord?id=CVE-2024-6119"],
             "relatedVulnerabilities":["USN-6986-1"],"source":"UBUNTU_CVE",
             "sourceUrl":"https://people.canonical.com/~ubuntu-security/cve/2024/CVE-2024-6119.html",
             "vendorCreatedAt":"Tue Sep 03 00:00:00.000 UTC 2024","vendorSeverity":"medium","vulnerabilityId":"CVE-2024-6119",
             "vulnerablePackages":[{"arch":"ARM64","epoch":0,"fixedInVersion":"0:3.0.13-0ubuntu3.4","name":"openssl",
                "packageManager":"OS","release":"0ubuntu3.2","remediation":"apt-get update && apt-get upgrade",
                "sourceLayerHash":"sha256:15679616","version":"3.0.13"}]},
           "remediation":{"recommendation":{"text":"None Provided"}},
           "resources":[{"details":{"awsEcrContainerImage":{"architecture":"arm64","imageHash":"sha256:84f5085d",
                "imageTags":["ubuntu_latest"],"platform":"UBUNTU_24_04","pushedAt":"Wed Sep 04 16:55:28.000 UTC 2024",
                "registry":"123456789012","repositoryName":"inspector2"}},
              "id":"arn:aws:ecr:eu-central-1:123456789012:repository/inspector2/sha256:84f5085d",
              "partition":"aws","region":"eu-central-1","type":"AWS_ECR_CONTAINER_IMAGE"}],
           "severity":"MEDIUM","status":"ACTIVE","title":"CVE-2024-6119 - libssl3t64, openssl",
           "type":"PACKAGE_VULNERABILITY","updatedAt":"Wed Sep 04 16:55:38.411 UTC 2024"}}
        """;

    /// <summary>The EC2 state-change event the EventBridge content-filtering examples are written against.</summary>
    public const string AwsEc2StateChange = """
        {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification",
         "source":"aws.ec2","account":"111122223333","time":"2017-10-02T18:43:48Z","region":"us-west-1",
         "resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
         "detail":{"instance-id":"i-1234567890abcdef0","state":"pending","c-count":5,"d-count":12,"x-limit":301.8,
           "source-ip":"10.0.0.123","FileName":"image.png"}}
        """;
}
