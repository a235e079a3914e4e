using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

public sealed class SuppressionMatcherTests
{
    private static readonly VulnerabilityFinding Openssl = Finding("DSA-5678-1", FindingSeverity.HIGH, "libssl3") with { Aliases = ["CVE-2024-6119"] };

    [TestCase("team/*", "team/api", true)]
    [TestCase("team/*", "other/team/api", false)]
    [TestCase("*/api", "team/api", true)]
    [TestCase("team/api", "team/api2", false)]
    [TestCase("team.api", "teamXapi", false)]
    public void Repository_patterns_are_ecr_wildcards(string pattern, string repository, bool matches) =>
        Assert.That(SuppressionMatcher.Matches(new SuppressionFilter(Repository: pattern), Image('a', repository), Openssl, FixAvailable.YES), Is.EqualTo(matches));

    [Test]
    public void Vulnerability_ids_match_aliases_and_package_names_match_the_source_package()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SuppressionMatcher.Matches(new SuppressionFilter(VulnerabilityIds: ["cve-2024-6119"]), Image('a'), Openssl, FixAvailable.YES), Is.True);
            Assert.That(SuppressionMatcher.Matches(new SuppressionFilter(PackageNames: ["libssl3-src"]), Image('a'), Openssl, FixAvailable.YES), Is.True);
            Assert.That(SuppressionMatcher.Matches(new SuppressionFilter(PackageNames: ["zlib"]), Image('a'), Openssl, FixAvailable.YES), Is.False);
            Assert.That(SuppressionMatcher.Matches(new SuppressionFilter(Severities: [FindingSeverity.HIGH], FixAvailable: FixAvailable.NO), Image('a'), Openssl, FixAvailable.YES), Is.False);
        });
    }

    [Test]
    public void A_rule_stops_applying_at_its_expiry()
    {
        var rule = new SuppressionRule("r", "n", "r", new SuppressionFilter(Severities: [FindingSeverity.HIGH]), T0, T0.AddDays(-1), T0.AddDays(-1));
        Assert.That(SuppressionMatcher.FirstMatch([rule], Image('a'), Openssl, FixAvailable.YES, T0.AddSeconds(-1)), Is.EqualTo(rule));
        Assert.That(SuppressionMatcher.FirstMatch([rule], Image('a'), Openssl, FixAvailable.YES, T0), Is.Null);
    }
}
