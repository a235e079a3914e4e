using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;

namespace ImageScanning.ScanEngine.Tests.Advisories;

public class AffectedRangesTests
{
    private static readonly DottedVersionComparer Dotted = DottedVersionComparer.Instance;

    private static OsvAffected Affected(params OsvRange[] ranges) => new()
    {
        Package = new OsvPackage("test", "demo", null),
        Ranges = ranges,
    };

    private static OsvRange Range(params OsvEvent[] events) => new(OsvRangeTypes.Ecosystem, null, events);

    private static (bool Affected, string? FixedIn) Check(OsvAffected affected, string version)
    {
        var result = AffectedRanges.IsAffected(affected, version, Dotted, out var fixedIn);
        return (result, fixedIn);
    }

    [TestCase("0.1", true, "1.2.3")]
    [TestCase("1.2.2", true, "1.2.3")]
    [TestCase("1.2.3", false, null)]
    [TestCase("2.0", false, null)]
    public void Introduced_0_and_fixed(string version, bool affected, string? fixedIn) =>
        Assert.That(Check(Affected(Range(OsvEvent.Introduced("0"), OsvEvent.Fixed("1.2.3"))), version), Is.EqualTo((affected, fixedIn)));

    [TestCase("0.9", false)]
    [TestCase("1.0", true)]
    [TestCase("1.5", true)]
    [TestCase("2.0", false)]
    public void Introduced_is_inclusive_and_fixed_exclusive(string version, bool affected) =>
        Assert.That(AffectedRanges.IsAffected(Affected(Range(OsvEvent.Introduced("1.0"), OsvEvent.Fixed("2.0"))), version, Dotted),
            Is.EqualTo(affected));

    [TestCase("1.4", true)]
    [TestCase("1.3.9", true)]
    [TestCase("1.4.1", false)]
    public void Last_affected_is_inclusive_with_no_fix(string version, bool affected)
    {
        var entry = Affected(Range(OsvEvent.Introduced("1.0"), OsvEvent.LastAffected("1.4")));
        Assert.That(Check(entry, version), Is.EqualTo((affected, (string?)null)));
    }

    [TestCase("1.5", true)]
    [TestCase("3.0", false)]
    [TestCase("9.0", false)]
    public void A_version_at_or_above_a_limit_is_outside_the_range(string version, bool affected) =>
        Assert.That(AffectedRanges.IsAffected(Affected(Range(OsvEvent.Introduced("1.0"), OsvEvent.Limit("3.0"))), version, Dotted),
            Is.EqualTo(affected));

    [Test]
    public void A_star_limit_is_no_limit() =>
        Assert.That(AffectedRanges.IsAffected(Affected(Range(OsvEvent.Introduced("1.0"), OsvEvent.Limit("*"))), "99", Dotted), Is.True);

    [Test]
    public void Introduced_alone_affects_everything_after_it()
    {
        var entry = Affected(Range(OsvEvent.Introduced("2.0")));
        Assert.That(Check(entry, "1.9"), Is.EqualTo((false, (string?)null)));
        Assert.That(Check(entry, "7.0"), Is.EqualTo((true, (string?)null)));
    }

    [TestCase("1.1", true, "1.3")]
    [TestCase("1.3", false, null)]
    [TestCase("2.0", true, "2.2")]
    [TestCase("2.1.9", true, "2.2")]
    [TestCase("2.2", false, null)]
    [TestCase("3.1", true, null)]
    public void Several_intervals_in_one_range_with_unsorted_events(string version, bool affected, string? fixedIn)
    {
        // Written out of order on purpose: OSV consumers sort events before evaluating.
        var entry = Affected(Range(
            OsvEvent.Fixed("2.2"), OsvEvent.Introduced("3.0"), OsvEvent.Introduced("1.0"),
            OsvEvent.Introduced("2.0"), OsvEvent.Fixed("1.3")));
        Assert.That(Check(entry, version), Is.EqualTo((affected, fixedIn)));
    }

    [Test]
    public void Versions_sort_by_the_comparer_not_as_strings()
    {
        // Ordinal order would put "10.0" before "9.0".
        var entry = Affected(Range(OsvEvent.Fixed("10.0"), OsvEvent.Introduced("9.0")));
        Assert.That(Check(entry, "9.5"), Is.EqualTo((true, "10.0")));
        Assert.That(Check(entry, "10.1"), Is.EqualTo((false, (string?)null)));
    }

    [TestCase("2.3.0", true, "2.3.1")]
    [TestCase("2.4.5", true, "2.12.2")]
    [TestCase("2.12.2", false, null)]
    [TestCase("2.14.1", true, "2.15.0")]
    [TestCase("2.15.0", false, null)]
    public void Multiple_ranges_of_log4shell(string version, bool affected, string? fixedIn)
    {
        var log4shell = OsvCorpus.Load("ghsa", "GHSA-jfh8-c2jp-5v3q");
        var entry = new OsvAffected
        {
            Package = log4shell.Affected[0].Package,
            Ranges = log4shell.Affected.SelectMany(a => a.Ranges).ToList(),
        };
        Assert.That(Check(entry, version), Is.EqualTo((affected, fixedIn)));
    }

    [Test]
    public void An_empty_range_introduced_and_fixed_at_the_same_version_affects_nothing() =>
        Assert.That(AffectedRanges.IsAffected(Affected(Range(OsvEvent.Introduced("1.0"), OsvEvent.Fixed("1.0"))), "1.0", Dotted),
            Is.False);

    [Test]
    public void Listed_versions_are_affected_with_the_lowest_fix_above_them()
    {
        var entry = new OsvAffected
        {
            Package = new OsvPackage("test", "demo", null),
            // The range does not cover 0.5 (introduced 1.0), only the explicit list does.
            Ranges = [Range(OsvEvent.Introduced("1.0"), OsvEvent.Fixed("1.4")), Range(OsvEvent.Introduced("2.0"), OsvEvent.Fixed("2.1"))],
            Versions = ["0.5", "weird-build"],
        };
        Assert.That(Check(entry, "0.5"), Is.EqualTo((true, "1.4")));
        Assert.That(Check(entry, "0.6"), Is.EqualTo((false, (string?)null)));
        Assert.That(AffectedRanges.IsAffected(entry, "weird-build", new ThrowingComparer(), out var fix), Is.True);
        Assert.That(fix, Is.Null);
    }

    [Test]
    public void A_versions_only_entry()
    {
        var entry = new OsvAffected { Package = new OsvPackage("test", "demo", null), Versions = ["1.0", "1.1"] };
        Assert.That(Check(entry, "1.1"), Is.EqualTo((true, (string?)null)));
        Assert.That(Check(entry, "1.1.0"), Is.EqualTo((false, (string?)null)), "the list is compared as exact strings");
    }

    [Test]
    public void Git_ranges_are_ignored()
    {
        var entry = new OsvAffected
        {
            Package = new OsvPackage("test", "demo", null),
            Ranges = [new OsvRange(OsvRangeTypes.Git, "https://example.test/repo.git", [OsvEvent.Introduced("0"), OsvEvent.Fixed("abc123")])],
        };
        Assert.That(AffectedRanges.IsAffected(entry, "1.0", Dotted), Is.False);
    }

    [Test]
    public void Semver_ranges_use_the_comparer_too()
    {
        var counting = new CountingComparer(Dotted);
        var entry = new OsvAffected
        {
            Package = new OsvPackage("Go", "example.test/mod", null),
            Ranges = [new OsvRange(OsvRangeTypes.Semver, null, [OsvEvent.Introduced("0"), OsvEvent.Fixed("1.6.0")])],
        };
        Assert.That(AffectedRanges.IsAffected(entry, "1.5.9", counting, out var fix), Is.True);
        Assert.That(fix, Is.EqualTo("1.6.0"));
        Assert.That(counting.Calls, Is.GreaterThan(0));
    }

    [Test]
    public void A_range_the_comparer_cannot_order_is_skipped_not_thrown() =>
        Assert.That(AffectedRanges.IsAffected(Affected(Range(OsvEvent.Introduced("0"), OsvEvent.Fixed("1.0"))), "0.5", new ThrowingComparer()),
            Is.False);

    [Test]
    public void The_lowest_fix_of_several_matching_ranges_is_reported()
    {
        var entry = Affected(
            Range(OsvEvent.Introduced("0"), OsvEvent.Fixed("3.0")),
            Range(OsvEvent.Introduced("1.0"), OsvEvent.Fixed("2.0")));
        Assert.That(Check(entry, "1.5"), Is.EqualTo((true, "2.0")));
    }

    [Test]
    public void No_ranges_and_no_versions_affects_nothing() =>
        Assert.That(AffectedRanges.IsAffected(new OsvAffected(), "1.0", Dotted), Is.False);
}
