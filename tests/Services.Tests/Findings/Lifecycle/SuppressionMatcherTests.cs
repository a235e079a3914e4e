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
    [TestCase("Team/*", "team/api", false)]
    [TestCase("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)] // timed out the old regex
    [TestCase("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true)]
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
        Assert.That(SuppressionMatcher.FirstMatch([rule], Image('a'), Openssl, FixAvailable.YES, T0.AddSeconds(-1), new SuppressionRuleFailures()), Is.EqualTo(rule));
        Assert.That(SuppressionMatcher.FirstMatch([rule], Image('a'), Openssl, FixAvailable.YES, T0, new SuppressionRuleFailures()), Is.Null);
    }

    [Test]
    public void A_rule_that_throws_suppresses_nothing_is_noted_and_the_next_rule_still_applies()
    {
        // The API refuses a rule without a filter; a row written some other way can still hold one.
        var broken = new SuppressionRule("broken", "no filter", "r", null!, null, T0.AddDays(-2), T0.AddDays(-2));
        var high = new SuppressionRule("high", "high ones", "r", new SuppressionFilter(Severities: [FindingSeverity.HIGH]), null, T0.AddDays(-1), T0.AddDays(-1));
        var failures = new SuppressionRuleFailures();

        var first = SuppressionMatcher.FirstMatch([broken, high], Image('a'), Openssl, FixAvailable.YES, T0, failures);
        var second = SuppressionMatcher.FirstMatch([broken], Image('b'), Openssl, FixAvailable.YES, T0, failures);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(high), "the older, broken rule is skipped");
            Assert.That(second, Is.Null);
            Assert.That(failures.All.Select(f => (f.RuleId, f.RuleName, f.Findings)), Is.EqualTo(new[] { ("broken", "no filter", 2) }));
            Assert.That(failures.All.Single().FirstError, Is.InstanceOf<NullReferenceException>());
        });
    }
}
