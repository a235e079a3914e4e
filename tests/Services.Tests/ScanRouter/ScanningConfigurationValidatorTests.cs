using System.Diagnostics;
using System.Text.RegularExpressions;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

public class ScanningConfigurationValidatorTests
{
    private const string PatternMessage =
        @"Invalid parameter at 'filter' failed to satisfy constraint: 'must satisfy regular expression '^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$''";

    private static ScanningRepositoryFilter F(string filter) => new(filter, RepositoryFilterType.WILDCARD);

    private static RegistryScanningRule Rule(ScanFrequency frequency, params string[] filters) => new(frequency, filters.Select(F).ToList());

    private static RegistryScanningConfiguration Config(ScanType type, params RegistryScanningRule[] rules) => new(type, rules);

    private static ScanningError Error(RegistryScanningConfiguration config)
    {
        var result = ScanningConfigurationValidator.Validate(config);
        Assert.That(result.IsValid, Is.False, "expected a validation error");
        Assert.That(result.Configuration, Is.Null);
        return result.Error!;
    }

    private static void AssertValid(RegistryScanningConfiguration config)
    {
        var result = ScanningConfigurationValidator.Validate(config);
        Assert.That(result.Error, Is.Null, () => result.Error!.Message);
        Assert.That(result.Configuration, Is.Not.Null);
    }

    [Test]
    public void Default_and_typical_configurations_are_valid()
    {
        AssertValid(ScanningRules.DefaultConfiguration);
        AssertValid(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "*")));
        AssertValid(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "prod*"), Rule(ScanFrequency.SCAN_ON_PUSH, "team/*")));
        AssertValid(Config(ScanType.ENHANCED));
        AssertValid(Config(ScanType.ENHANCED, Rule(ScanFrequency.CONTINUOUS_SCAN, "prod"), Rule(ScanFrequency.SCAN_ON_PUSH, "*")));
        AssertValid(Config(ScanType.ENHANCED, Rule(ScanFrequency.SCAN_ON_PUSH)));
    }

    [Test]
    public void Null_rules_are_normalised_to_an_empty_list()
    {
        var result = ScanningConfigurationValidator.Validate(new RegistryScanningConfiguration(ScanType.ENHANCED, null!));
        Assert.That(result.IsValid, Is.True);
        Assert.That(result.Configuration!.Rules, Is.Empty);
        Assert.That(result.Configuration.ScanType, Is.EqualTo(ScanType.ENHANCED));
    }

    [Test]
    public void At_most_two_rules()
    {
        var error = Error(Config(ScanType.ENHANCED,
            Rule(ScanFrequency.SCAN_ON_PUSH, "a"), Rule(ScanFrequency.SCAN_ON_PUSH, "b"), Rule(ScanFrequency.CONTINUOUS_SCAN, "c")));
        Assert.That(error, Is.EqualTo(new ScanningError("InvalidParameterException",
            "Invalid parameter at 'rules' failed to satisfy constraint: 'Member must have length less than or equal to 2'")));
    }

    [Test]
    public void At_most_one_hundred_filters_per_rule()
    {
        var hundred = Enumerable.Range(0, 100).Select(i => $"repo{i}").ToArray();
        AssertValid(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, hundred)));

        var error = Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, [.. hundred, "one-more"])));
        Assert.That(error, Is.EqualTo(new ScanningError("InvalidParameterException",
            "Invalid parameter at 'repositoryFilters' failed to satisfy constraint: 'Member must have length less than or equal to 100'")));
    }

    [Test]
    public void Filter_length_is_1_to_255()
    {
        AssertValid(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, new string('a', 255))));
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, new string('a', 256)))),
            Is.EqualTo(new ScanningError("InvalidParameterException",
                "Invalid parameter at 'filter' failed to satisfy constraint: 'Member must have length less than or equal to 255'")));
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, ""))),
            Is.EqualTo(new ScanningError("InvalidParameterException",
                "Invalid parameter at 'filter' failed to satisfy constraint: 'Member must have length greater than or equal to 1'")));
    }

    [TestCase("*")]
    [TestCase("**")]
    [TestCase("prod")]
    [TestCase("prod*")]
    [TestCase("*prod*repo*")]
    [TestCase("team/app")]
    [TestCase("a.b_c-d/e")]
    [TestCase("a*-*b")]
    [TestCase("0")]
    public void Filters_matching_the_model_pattern_are_valid(string filter) =>
        AssertValid(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, filter)));

    [TestCase("Prod")]
    [TestCase("-prod")]
    [TestCase("prod-")]
    [TestCase("prod--x")]
    [TestCase("a..b")]
    [TestCase("a/-b")]
    [TestCase("/prod")]
    [TestCase("prod?")]
    [TestCase("pr od")]
    [TestCase("prod\n")]
    [TestCase("[a-z]*")]
    public void Filters_outside_the_model_pattern_are_rejected_with_ecr_wording(string filter) =>
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, filter))),
            Is.EqualTo(new ScanningError("InvalidParameterException", PatternMessage)));

    [Test]
    public void Pattern_check_agrees_with_the_model_regex()
    {
        // NonBacktracking: linear-time engine, so the reference itself cannot blow up. No '\n' in the alphabet: .NET's '$' accepts a trailing newline.
        var reference = new Regex(ScanningConfigurationValidator.FilterPattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        var random = new Random(42);
        const string alphabet = "az09*._-/A !";
        for (var i = 0; i < 50_000; i++)
        {
            var s = new string(Enumerable.Range(0, random.Next(0, 10)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Assert.That(ScanningConfigurationValidator.MatchesFilterPattern(s), Is.EqualTo(reference.IsMatch(s)), $"'{s}'");
        }
    }

    [Test]
    public void Pattern_check_is_linear_on_backtracking_bait()
    {
        var bait = new string('a', 254) + "!";
        var watch = Stopwatch.StartNew();
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, bait))).Message, Is.EqualTo(PatternMessage));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Only_wildcard_filter_type()
    {
        var config = Config(ScanType.BASIC, new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("prod", (RepositoryFilterType)1)]));
        Assert.That(Error(config), Is.EqualTo(new ScanningError("InvalidParameterException",
            "Invalid parameter at 'filterType' failed to satisfy constraint: 'Member must satisfy enum value set: [WILDCARD]'")));
    }

    [Test]
    public void Unknown_enum_values_are_rejected()
    {
        Assert.That(Error(new RegistryScanningConfiguration((ScanType)7, [])).Message,
            Is.EqualTo("Invalid parameter at 'scanType' failed to satisfy constraint: 'Member must satisfy enum value set: [BASIC, ENHANCED]'"));
        Assert.That(Error(Config(ScanType.ENHANCED, new RegistryScanningRule((ScanFrequency)9, [F("a")]))).Message,
            Is.EqualTo("Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'Member must satisfy enum value set: [SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL]'"));
    }

    [Test]
    public void Required_members_inside_rules_and_filters()
    {
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "a"), new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, null!))),
            Is.EqualTo(new ScanningError("ValidationException",
                "1 validation error detected: Value null at 'rules.2.member.repositoryFilters' failed to satisfy constraint: Member must not be null")));
        Assert.That(Error(Config(ScanType.BASIC, new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [F("a"), new ScanningRepositoryFilter(null!, RepositoryFilterType.WILDCARD)]))),
            Is.EqualTo(new ScanningError("ValidationException",
                "1 validation error detected: Value null at 'rules.1.member.repositoryFilters.2.member.filter' failed to satisfy constraint: Member must not be null")));
        Assert.That(Error(Config(ScanType.BASIC, new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [null!]))).ErrorType, Is.EqualTo("ValidationException"));
        Assert.That(Error(new RegistryScanningConfiguration(ScanType.BASIC, [null!])).Message,
            Is.EqualTo("1 validation error detected: Value null at 'rules.1.member' failed to satisfy constraint: Member must not be null"));
    }

    [Test]
    public void Basic_supports_only_scan_on_push_rules()
    {
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.CONTINUOUS_SCAN, "*"))), Is.EqualTo(new ScanningError("InvalidParameterException",
            "Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC; supported scan frequencies: [SCAN_ON_PUSH]'")));
        Assert.That(Error(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "a"), Rule(ScanFrequency.MANUAL, "*"))).Message,
            Is.EqualTo("Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'Scan frequency MANUAL is not supported for scan type BASIC; supported scan frequencies: [SCAN_ON_PUSH]'"));
    }

    [Test]
    public void Enhanced_supports_continuous_and_scan_on_push_but_not_manual()
    {
        Assert.That(Error(Config(ScanType.ENHANCED, Rule(ScanFrequency.MANUAL, "*"))), Is.EqualTo(new ScanningError("InvalidParameterException",
            "Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'Scan frequency MANUAL is not supported for scan type ENHANCED; supported scan frequencies: [SCAN_ON_PUSH, CONTINUOUS_SCAN]'")));
    }

    [Test]
    public void Constraint_errors_are_reported_before_the_frequency_check()
    {
        var config = Config(ScanType.BASIC, Rule(ScanFrequency.CONTINUOUS_SCAN, "Bad"));
        Assert.That(Error(config).Message, Is.EqualTo(PatternMessage));
    }

    [Test]
    public void Put_result_carries_the_configuration_or_the_error()
    {
        var ok = ScanningConfigurationValidator.Validate(Config(ScanType.BASIC, Rule(ScanFrequency.SCAN_ON_PUSH, "*"))).ToPutResult();
        Assert.That(ok.ErrorType, Is.Null);
        Assert.That(ok.Configuration!.Rules, Has.Count.EqualTo(1));

        var bad = ScanningConfigurationValidator.Validate(Config(ScanType.BASIC, Rule(ScanFrequency.CONTINUOUS_SCAN, "*"))).ToPutResult();
        Assert.That(bad.Configuration, Is.Null);
        Assert.That(bad.ErrorType, Is.EqualTo("InvalidParameterException"));
        Assert.That(bad.ErrorMessage, Does.StartWith("Invalid parameter at 'scanFrequency'"));
    }
}
