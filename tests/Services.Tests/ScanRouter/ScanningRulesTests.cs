using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

public class ScanningRulesTests
{
    private static ScanningRepositoryFilter F(string filter) => new(filter, RepositoryFilterType.WILDCARD);

    private static RegistryScanningRule Rule(ScanFrequency frequency, params string[] filters) => new(frequency, filters.Select(F).ToList());

    private static RegistryScanningConfiguration Config(ScanType type, params RegistryScanningRule[] rules) => new(type, rules);

    private static ImagePushed Pushed(string repository, string mediaType = "application/vnd.oci.image.manifest.v1+json") =>
        new("delivery-1", "123456789012", repository, "sha256:" + new string('a', 64), "latest", mediaType, DateTimeOffset.UnixEpoch);

    [Test]
    public void Default_configuration_is_basic_without_rules()
    {
        Assert.That(ScanningRules.DefaultConfiguration.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(ScanningRules.DefaultConfiguration.Rules, Is.Empty);

        var scanning = ScanningRules.Evaluate(ScanningRules.DefaultConfiguration, "app");
        Assert.That(scanning.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(scanning.ScanFrequency, Is.EqualTo(ScanFrequency.MANUAL));
        Assert.That(scanning.ScanningEnabled, Is.True);
        Assert.That(scanning.ScanOnPush, Is.False);
        Assert.That(scanning.DisabledReason, Is.Null);
        Assert.That(scanning.AppliedScanFilters, Is.Empty);
    }

    [Test]
    public void Basic_scan_on_push_when_a_rule_matches_else_manual()
    {
        var config = Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "prod*", "*-web"));

        var prod = ScanningRules.Evaluate(config, "prod-api");
        Assert.That(prod.ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
        Assert.That(prod.ScanOnPush, Is.True);
        Assert.That(prod.ScanningEnabled, Is.True);
        Assert.That(prod.AppliedScanFilters, Is.EqualTo(new[] { F("prod*") }));
        Assert.That(prod.RepositoryName, Is.EqualTo("prod-api"));

        var dev = ScanningRules.Evaluate(config, "dev-api");
        Assert.That(dev.ScanFrequency, Is.EqualTo(ScanFrequency.MANUAL));
        Assert.That(dev.ScanOnPush, Is.False);
        Assert.That(dev.ScanningEnabled, Is.True, "basic manual scans stay allowed");
        Assert.That(dev.AppliedScanFilters, Is.Empty);
        Assert.That(dev.DisabledReason, Is.Null);
    }

    [Test]
    public void Basic_applied_filters_list_every_matching_filter_of_every_scan_on_push_rule()
    {
        var config = Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "prod*", "nope"), Rule(ScanFrequency.SCAN_ON_PUSH, "*api"));
        Assert.That(ScanningRules.Evaluate(config, "prod-api").AppliedScanFilters, Is.EqualTo(new[] { F("prod*"), F("*api") }));
    }

    [Test]
    public void Basic_filter_without_star_is_a_substring_match()
    {
        var config = Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "prod"));
        Assert.That(ScanningRules.Evaluate(config, "team/repo-prod-repo").ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
    }

    [Test]
    public void Enhanced_without_rules_scans_every_repository_continuously()
    {
        var scanning = ScanningRules.Evaluate(Config(ScanType.ENHANCED), "any/repo");
        Assert.That(scanning.ScanFrequency, Is.EqualTo(ScanFrequency.CONTINUOUS_SCAN));
        Assert.That(scanning.ScanningEnabled, Is.True);
        Assert.That(scanning.ScanOnPush, Is.True);
        Assert.That(scanning.DisabledReason, Is.Null);
    }

    [Test]
    public void Enhanced_continuous_wins_over_scan_on_push()
    {
        var config = Config(ScanType.ENHANCED, Rule(ScanFrequency.SCAN_ON_PUSH, "*"), Rule(ScanFrequency.CONTINUOUS_SCAN, "prod*"));

        var prod = ScanningRules.Evaluate(config, "prod-api");
        Assert.That(prod.ScanFrequency, Is.EqualTo(ScanFrequency.CONTINUOUS_SCAN));
        Assert.That(prod.AppliedScanFilters, Is.EqualTo(new[] { F("prod*") }));

        var dev = ScanningRules.Evaluate(config, "dev-api");
        Assert.That(dev.ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
        Assert.That(dev.AppliedScanFilters, Is.EqualTo(new[] { F("*") }));
        Assert.That(dev.ScanOnPush, Is.True);
    }

    [Test]
    public void Enhanced_unmatched_repository_has_scanning_off()
    {
        var config = Config(ScanType.ENHANCED, Rule(ScanFrequency.CONTINUOUS_SCAN, "prod*"));
        var scanning = ScanningRules.Evaluate(config, "dev-api");
        Assert.That(scanning.ScanFrequency, Is.EqualTo(ScanFrequency.MANUAL));
        Assert.That(scanning.ScanningEnabled, Is.False);
        Assert.That(scanning.ScanOnPush, Is.False);
        Assert.That(scanning.DisabledReason, Is.EqualTo("SCAN_FREQUENCY_MANUAL"));
        Assert.That(scanning.AppliedScanFilters, Is.Empty);
    }

    [Test]
    public void Enhanced_rule_without_filters_selects_nothing_rather_than_everything()
    {
        var scanning = ScanningRules.Evaluate(Config(ScanType.ENHANCED, Rule(ScanFrequency.CONTINUOUS_SCAN)), "app");
        Assert.That(scanning.ScanningEnabled, Is.False);
    }

    [Test]
    public void Rules_with_an_unsupported_frequency_select_nothing()
    {
        Assert.That(ScanningRules.Evaluate(Config(ScanType.BASIC, Rule(ScanFrequency.CONTINUOUS_SCAN, "*")), "app").ScanFrequency, Is.EqualTo(ScanFrequency.MANUAL));
        Assert.That(ScanningRules.Evaluate(Config(ScanType.ENHANCED, Rule(ScanFrequency.MANUAL, "*")), "app").ScanningEnabled, Is.False);
    }

    [Test]
    public void Push_decision_basic_scan_on_push_goes_to_the_basic_scanner_and_counts_toward_the_quota()
    {
        var decision = ScanningRules.Decide(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "*")), "app");
        Assert.That(decision.Scan, Is.True);
        Assert.That(decision.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(decision.Target, Is.EqualTo(ScannerTarget.Basic));
        Assert.That(decision.SkipReason, Is.Null);
        Assert.That(decision.CountsTowardBasicQuota, Is.True);
        Assert.That(decision.AppliedScanFilters, Is.EqualTo(new[] { F("*") }));
    }

    [Test]
    public void Push_decision_basic_manual_is_skipped()
    {
        var decision = ScanningRules.Decide(ScanningRules.DefaultConfiguration, "app");
        Assert.That(decision.Scan, Is.False);
        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.SkipReason, Is.EqualTo("scan frequency manual"));
        Assert.That(decision.CountsTowardBasicQuota, Is.False);
    }

    [TestCase(ScanFrequency.CONTINUOUS_SCAN)]
    [TestCase(ScanFrequency.SCAN_ON_PUSH)]
    public void Push_decision_enhanced_goes_to_the_enhanced_scanner(ScanFrequency frequency)
    {
        var decision = ScanningRules.Decide(Config(ScanType.ENHANCED, Rule(frequency, "app")), "app");
        Assert.That(decision.Scan, Is.True);
        Assert.That(decision.ScanType, Is.EqualTo(ScanType.ENHANCED));
        Assert.That(decision.ScanFrequency, Is.EqualTo(frequency));
        Assert.That(decision.Target, Is.EqualTo(ScannerTarget.Enhanced));
        Assert.That(decision.CountsTowardBasicQuota, Is.False);
    }

    [Test]
    public void Push_decision_enhanced_unmatched_is_skipped_as_scanning_off()
    {
        var decision = ScanningRules.Decide(Config(ScanType.ENHANCED, Rule(ScanFrequency.CONTINUOUS_SCAN, "prod*")), "dev");
        Assert.That(decision.Scan, Is.False);
        Assert.That(decision.SkipReason, Is.EqualTo("scanning off for this repository"));
    }

    [Test]
    public void Push_decision_for_an_event_uses_its_repository()
    {
        var config = Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "prod*"));
        Assert.That(ScanningRules.Decide(config, Pushed("prod-api")).Scan, Is.True);
        Assert.That(ScanningRules.Decide(config, Pushed("dev-api")).Scan, Is.False);
    }

    [TestCase("application/vnd.oci.image.index.v1+json")]
    [TestCase("application/vnd.docker.distribution.manifest.list.v2+json")]
    public void Push_decision_skips_image_indexes(string mediaType)
    {
        var decision = ScanningRules.Decide(Config(ScanType.ENHANCED), Pushed("app", mediaType));
        Assert.That(decision.Scan, Is.False);
        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.SkipReason, Does.StartWith("image index"));
        Assert.That(decision.CountsTowardBasicQuota, Is.False);
    }

    [Test]
    public void Manual_scans_are_a_basic_scanning_feature()
    {
        Assert.That(ScanningRules.AllowsManualScan(ScanningRules.DefaultConfiguration), Is.True);
        Assert.That(ScanningRules.AllowsManualScan(Config(ScanType.ENHANCED)), Is.False);
    }
}
