using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Contracts.StringFilterComparison;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>Inspector's FilterCriteria semantics on a finding shaped like a Debian 12 openssl finding of an ECR-style image.</summary>
public sealed class FindingCriteriaMatcherTests
{
    private static readonly ImageRef Image = new("local", "team/payments", "sha256:" + new string('a', 64), ["v1", "latest"]);

    private static readonly VulnerabilityFinding Openssl = new(
        "CVE-2024-6119", ["DSA-5764-1"], FindingSeverity.HIGH, "openssl: possible denial of service in X.509 name checks",
        "Applications performing certificate name checks may attempt to read an invalid memory address.",
        "https://security-tracker.debian.org/tracker/CVE-2024-6119", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "3.0.14-1~deb12u2",
        new PackageRecord("libssl3", "3.0.13-1~deb12u1", "deb", "Debian:12", "openssl", "3.0.13-1~deb12u1", "amd64", "var/lib/dpkg/status",
            "sha256:" + new string('1', 64)),
        "3.1", "high");

    private static readonly CriteriaSubject Subject = new(
        Options.FindingArn(new string('f', 32)), Image, Openssl, FindingStatus.ACTIVE, FixAvailable.YES, T0, T0.AddDays(2), T0.AddDays(2));

    private static bool Matches(FindingCriteria criteria, CriteriaSubject? subject = null) =>
        FindingCriteriaMatcher.Matches(criteria, subject ?? Subject, Options);

    private static StringFilter S(StringFilterComparison comparison, string value) => new(comparison, value);

    [Test]
    public void Empty_criteria_match_every_finding() => Assert.That(Matches(new FindingCriteria()), Is.True);

    [Test]
    public void Equals_and_prefix_filters_of_one_member_or_together()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(Severity: [S(EQUALS, "CRITICAL"), S(EQUALS, "HIGH")])), Is.True);
            Assert.That(Matches(new(Severity: [S(EQUALS, "CRITICAL"), S(EQUALS, "LOW")])), Is.False);
            Assert.That(Matches(new(EcrImageRepositoryName: [S(EQUALS, "other"), S(PREFIX, "team/")])), Is.True);
            Assert.That(Matches(new(EcrImageRepositoryName: [S(PREFIX, "Team/")])), Is.False, "ordinal, case-sensitive");
            Assert.That(Matches(new(Title: [S(PREFIX, "CVE-2024-6119 - libssl3, openssl")])), Is.True, "the title Inspector2 shows");
        });
    }

    [Test]
    public void Not_equals_filters_of_one_member_and_together_and_with_a_positive_filter()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(FindingStatus: [S(NOT_EQUALS, "SUPPRESSED"), S(NOT_EQUALS, "CLOSED")])), Is.True);
            Assert.That(Matches(new(FindingStatus: [S(NOT_EQUALS, "SUPPRESSED"), S(NOT_EQUALS, "ACTIVE")])), Is.False);
            Assert.That(Matches(new(VulnerabilityId: [S(PREFIX, "CVE-2024-"), S(NOT_EQUALS, "CVE-2024-6119")])), Is.False);
            Assert.That(Matches(new(VulnerabilityId: [S(PREFIX, "CVE-2024-"), S(NOT_EQUALS, "CVE-2024-1")])), Is.True);
        });
    }

    [Test]
    public void Members_and_together()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(Severity: [S(EQUALS, "HIGH")], FixAvailable: [S(EQUALS, "YES")], ExploitAvailable: [S(EQUALS, "NO")])), Is.True);
            Assert.That(Matches(new(Severity: [S(EQUALS, "HIGH")], FixAvailable: [S(EQUALS, "NO")])), Is.False);
        });
    }

    [Test]
    public void Attributes_are_the_ones_inspector2_shows()
    {
        var imageArn = Options.ImageArn("local", "team/payments", Image.Digest);
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(AwsAccountId: [S(EQUALS, "123456789012")], FindingType: [S(EQUALS, "PACKAGE_VULNERABILITY")],
                ResourceType: [S(EQUALS, "AWS_ECR_CONTAINER_IMAGE")], ResourceId: [S(EQUALS, imageArn)])), Is.True);
            Assert.That(Matches(new(FindingArn: [S(EQUALS, Subject.FindingArn!)])), Is.True);
            Assert.That(Matches(new(EcrImageRegistry: [S(EQUALS, "123456789012")], EcrImageHash: [S(EQUALS, Image.Digest)])), Is.True, "the registry id");
            Assert.That(Matches(new(EcrImageRegistry: [S(EQUALS, "local")])), Is.False, "the platform's name is not the registry id");
            Assert.That(Matches(new(VulnerabilitySource: [S(EQUALS, "DEBIAN_CVE")], VendorSeverity: [S(EQUALS, "high")])), Is.True);
            Assert.That(Matches(new(Severity: [S(EQUALS, "UNTRIAGED")]), Subject with { Finding = Openssl with { Severity = FindingSeverity.UNDEFINED } }), Is.True);
            Assert.That(Matches(new(InspectorScore: [new NumberFilter(7.0, 8.9)])), Is.True);
            Assert.That(Matches(new(InspectorScore: [new NumberFilter(LowerInclusive: 9.0)])), Is.False);
        });
    }

    [Test]
    public void Multi_valued_attributes_match_any_value_and_not_equals_none()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(EcrImageTags: [S(EQUALS, "latest")])), Is.True);
            Assert.That(Matches(new(EcrImageTags: [S(NOT_EQUALS, "latest")])), Is.False, "one tag is latest");
            Assert.That(Matches(new(EcrImageTags: [S(NOT_EQUALS, "v2")])), Is.True);
            Assert.That(Matches(new(RelatedVulnerabilities: [S(PREFIX, "DSA-")])), Is.True);
        });
    }

    [Test]
    public void Date_ranges_are_inclusive_and_open_ended()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(FirstObservedAt: [new DateFilter(T0, T0)])), Is.True);
            Assert.That(Matches(new(FirstObservedAt: [new DateFilter(StartInclusive: T0.AddTicks(1))])), Is.False);
            Assert.That(Matches(new(LastObservedAt: [new DateFilter(EndInclusive: T0), new DateFilter(StartInclusive: T0.AddDays(1))])), Is.True, "any range");
            Assert.That(Matches(new(UpdatedAt: [new DateFilter(EndInclusive: T0.AddDays(1))])), Is.False);
        });
    }

    [Test]
    public void A_package_filter_needs_every_member_it_names_to_hold_for_the_package()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Name: S(EQUALS, "libssl3"), Version: S(PREFIX, "3.0.13"),
                Architecture: S(EQUALS, "amd64"), SourceLayerHash: S(EQUALS, Openssl.Package.LayerDigest), FilePath: S(EQUALS, "var/lib/dpkg/status"))])), Is.True);
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Name: S(EQUALS, "libssl3"), Architecture: S(EQUALS, "arm64"))])), Is.False);
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Name: S(EQUALS, "zlib1g")), new PackageFilter(Name: S(EQUALS, "libssl3"))])), Is.True);
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Epoch: new NumberFilter(0, 0))])), Is.True, "no epoch is epoch 0");
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Epoch: new NumberFilter(1, 1))]),
                Subject with { Finding = Openssl with { Package = Openssl.Package with { Version = "1:3.0.13-1" } } }), Is.True);
            Assert.That(Matches(new(VulnerablePackages: [new PackageFilter(Release: S(EQUALS, "1"))])), Is.False, "no release is recorded");
        });
    }

    [Test]
    public void Attributes_an_image_finding_lacks_never_match_equals_or_ranges_and_always_match_not_equals()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(Ec2InstanceVpcId: [S(EQUALS, "vpc-1")])), Is.False);
            Assert.That(Matches(new(LambdaFunctionName: [S(PREFIX, "")])), Is.False);
            Assert.That(Matches(new(NetworkProtocol: [S(NOT_EQUALS, "TCP")], CodeVulnerabilityFilePath: [S(NOT_EQUALS, "x")])), Is.True);
            Assert.That(Matches(new(EpssScore: [new NumberFilter(0, 1)])), Is.False, "EPSS is not imported");
            Assert.That(Matches(new(EcrImagePushedAt: [new DateFilter(T0.AddYears(-10), T0.AddYears(10))])), Is.False, "Findings does not know push dates");
            Assert.That(Matches(new(ResourceTags: [new MapFilter("EQUALS", "team", "payments")])), Is.False);
            Assert.That(Matches(new(ExploitAvailable: [S(EQUALS, "YES")])), Is.False);
        });
    }

    [Test]
    public void A_finding_not_yet_stored_has_no_arn()
    {
        var unstored = Subject with { FindingArn = null };
        Assert.Multiple(() =>
        {
            Assert.That(Matches(new(FindingArn: [S(PREFIX, "arn:")]), unstored), Is.False);
            Assert.That(Matches(new(FindingArn: [S(NOT_EQUALS, "arn:x")]), unstored), Is.True);
        });
    }

    [Test]
    public void Push_down_selects_a_superset_from_the_indexed_members_or_nothing()
    {
        var pushed = FindingCriteriaQuery.PushDown(new FindingFilter(), new FindingCriteria(
            FindingStatus: [S(NOT_EQUALS, "CLOSED")], Severity: [S(EQUALS, "UNTRIAGED"), S(PREFIX, "HI")],
            EcrImageRepositoryName: [S(EQUALS, "a"), S(EQUALS, "b")], EcrImageHash: [S(EQUALS, Image.Digest)]))!;
        var prefix = FindingCriteriaQuery.PushDown(new FindingFilter(), new FindingCriteria(EcrImageRepositoryName: [S(PREFIX, "team/")]))!;
        var mixed = FindingCriteriaQuery.PushDown(new FindingFilter(), new FindingCriteria(EcrImageRepositoryName: [S(PREFIX, "team/"), S(NOT_EQUALS, "team/x")]))!;
        Assert.Multiple(() =>
        {
            Assert.That(pushed.Statuses, Is.EquivalentTo(new[] { FindingStatus.ACTIVE, FindingStatus.SUPPRESSED }));
            Assert.That(pushed.Severities, Is.EquivalentTo(new[] { FindingSeverity.HIGH, FindingSeverity.UNDEFINED, FindingSeverity.UNTRIAGED }));
            Assert.That(pushed.Repositories, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(pushed.ImageDigests, Is.EqualTo(new[] { Image.Digest }));
            Assert.That(prefix.Repository, Is.EqualTo("team/*"));
            Assert.That((mixed.Repository, mixed.Repositories), Is.EqualTo(((string?)null, (IReadOnlyList<string>?)null)), "left to the matcher");
            Assert.That(FindingCriteriaQuery.PushDown(new FindingFilter(), new FindingCriteria(FindingStatus: [S(EQUALS, "OPEN")])), Is.Null);
        });
    }

    [Test]
    public void A_suppression_rule_with_criteria_is_judged_by_them_and_a_none_filter_suppresses_nothing()
    {
        var criteria = new FindingCriteria(VulnerabilityId: [S(EQUALS, "CVE-2024-6119")]);
        var suppress = new SuppressionRule("s", "accept-openssl", "", null, null, T0, T0, criteria);
        var saved = new SuppressionRule("n", "just-a-view", "", null, null, T0.AddDays(-1), T0, criteria, FilterAction.NONE);
        var failures = new SuppressionRuleFailures();
        Assert.Multiple(() =>
        {
            Assert.That(SuppressionMatcher.FirstMatch([saved, suppress], Subject, T0, failures, Options), Is.EqualTo(suppress));
            Assert.That(SuppressionMatcher.FirstMatch([saved], Subject, T0, failures, Options), Is.Null);
            Assert.That(SuppressionMatcher.FirstMatch([suppress with { Criteria = new(VulnerabilityId: [S(EQUALS, "CVE-2024-1")]) }], Subject, T0, failures, Options), Is.Null);
            Assert.That(failures.All, Is.Empty);
        });
    }
}
