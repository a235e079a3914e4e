using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Php;

/// <summary>
/// The comparer held to composer/semver's own published test cases (composer-semver-cases.tsv, with its source and
/// licence in the header; newer than Debian's packaged library) plus PHP version_compare facts. The packaged library
/// itself is the oracle of <see cref="ComposerVersionOracleTests"/>.
/// </summary>
[TestFixture]
public sealed class ComposerVersionComparerTests
{
    private static readonly ComposerVersionComparer Comparer = ComposerVersionComparer.Instance;

    private static readonly string CasesFile =
        Path.Combine(Corpus.RepositoryRoot, "tests", "ScanEngine.Tests", "Php", "composer-semver-cases.tsv");

    private static IEnumerable<string[]> Cases(string kind) =>
        File.ReadLines(CasesFile).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')).Where(f => f[0] == kind);

    private static bool IsBranch(string v) => ComposerVersionComparer.Normalize(v)?.StartsWith("dev-", StringComparison.Ordinal) == true;

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("composer"));
        Assert.That(new PhpEcosystem().VersionComparer, Is.SameAs(Comparer));
    }

    [Test]
    public void Normalizes_like_composer_semver()
    {
        var cases = Cases("normalize").ToList();
        var wrong = cases.Where(c => ComposerVersionComparer.Normalize(c[1]) != c[2])
            .Select(c => $"'{c[1]}': expected '{c[2]}', got '{ComposerVersionComparer.Normalize(c[1]) ?? "(invalid)"}'").ToList();
        Assert.That(cases, Has.Count.GreaterThan(60));
        Assert.That(wrong, Is.Empty, string.Join("\n", wrong));
    }

    [Test]
    public void Rejects_what_composer_semver_rejects()
    {
        var cases = Cases("invalid").ToList();
        var accepted = cases.Where(c => ComposerVersionComparer.Normalize(c[1]) is not null)
            .Select(c => $"'{c[1]}' → '{ComposerVersionComparer.Normalize(c[1])}'").ToList();
        Assert.That(cases, Has.Count.GreaterThan(15));
        Assert.That(accepted, Is.Empty, string.Join("\n", accepted));
    }

    /// <summary>
    /// Every Comparator case, except that two branches ("dev-foo", "dev-bar") are neither lower, higher nor
    /// equal in Composer; a total order must pick one, and ours orders them ordinally (checked separately).
    /// </summary>
    [Test]
    public void Compares_like_composer_semver_Comparator()
    {
        var cases = Cases("compare").ToList();
        var wrong = new List<string>();
        var checkedCases = 0;
        foreach (var c in cases)
        {
            var (a, op, b, expected) = (c[1], c[2], c[3], bool.Parse(c[4]));
            if (IsBranch(a) && IsBranch(b)) continue;
            checkedCases++;
            var sign = Math.Sign(Comparer.Compare(a, b));
            var actual = op switch
            {
                ">" => sign > 0, ">=" => sign >= 0, "<" => sign < 0, "<=" => sign <= 0,
                "==" or "=" => sign == 0, "!=" or "<>" => sign != 0,
                _ => throw new InvalidDataException($"unknown operator {op}"),
            };
            if (actual != expected) wrong.Add($"{a} {op} {b}: composer {expected}, ours {actual}");
        }
        Assert.That(checkedCases, Is.GreaterThan(30));
        Assert.That(wrong, Is.Empty, string.Join("\n", wrong));
    }

    [Test]
    public void Branches_sort_before_numeric_versions_and_ordinally_among_themselves()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare("dev-main", "0.0.1-dev"), Is.LessThan(0));
            Assert.That(Comparer.Compare("dev-bar", "dev-foo"), Is.LessThan(0));
            Assert.That(Comparer.Compare("dev-foo", "dev-foo"), Is.Zero);
            // composer/semver normalises "master" to "dev-master" and then calls them equal (found by its oracle).
            Assert.That(Comparer.Compare("master", "dev-master"), Is.Zero);
            Assert.That(Comparer.Compare(" DEV-main ", "dev-main"), Is.Zero);
            Assert.That(Comparer.Compare("trunk", "dev-master"), Is.GreaterThan(0));
            Assert.That(Comparer.Compare("not a version", "0"), Is.LessThan(0));
            Assert.That(Comparer.Compare(null, "dev-foo"), Is.LessThan(0));
        });
    }

    // Stability order dev < alpha < beta < RC < stable < patch, "v" and missing parts, PHP's version_compare rules.
    [TestCase("1.0.0-dev", "1.0.0-alpha", -1)]
    [TestCase("1.0.0-alpha", "1.0.0-alpha1", -1)]
    [TestCase("1.0.0-alpha2", "1.0.0-beta1", -1)]
    [TestCase("1.0.0-beta2", "1.0.0-RC1", -1)]
    [TestCase("1.0.0-RC2", "1.0.0", -1)]
    [TestCase("1.0.0", "1.0.0-p1", -1)]
    [TestCase("1.0.0-pl1", "1.0.0-patch1", 0)]
    [TestCase("1.0.0-RC1-dev", "1.0.0-RC1", -1)]
    [TestCase("v1.8.1", "1.8.1", 0)]
    [TestCase("1.8", "1.8.0.0", 0)]
    [TestCase("6.5.5", "6.5.6", -1)]
    [TestCase("7.4.2", "7.4.10", -1)]
    [TestCase("1.x-dev", "1.99", 1)]
    [TestCase("1.x-dev", "2.0.0-alpha", -1)]
    [TestCase("2010-01-02", "2010.01.02", -1)] // "2010.01.02" vs "2010.01.02.0": version_compare puts the shorter first
    [TestCase("1.0.0@stable", "1.0.0", 0)]
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [Test]
    public void Random_strings_never_throw_and_stay_antisymmetric()
    {
        var random = new Random(2012);
        const string alphabet = "0123456789.-_+@ vVdevalphbtRCpx*#";
        string Next() => new([.. Enumerable.Range(0, random.Next(0, 14)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var n = 0; n < 20_000; n++)
        {
            var (a, b) = (Next(), Next());
            if (Math.Sign(Comparer.Compare(a, b)) != -Math.Sign(Comparer.Compare(b, a))) Assert.Fail($"not antisymmetric: '{a}' vs '{b}'");
        }
    }
}
