using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Alpine;

[TestFixture]
public sealed class ApkVersionComparerTests
{
    private static readonly ApkVersionComparer Comparer = ApkVersionComparer.Instance;

    private static int Sign(string a, string b) => Math.Sign(Comparer.Compare(a, b));

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("apk"));
        Assert.That(ApkVersionComparer.Instance, Is.SameAs(Comparer));
    }

    /// <summary>The (a, expected sign, b) lines of apk-tools' own test/version.data, kept in this folder.</summary>
    private static List<(string A, int Expected, string B, int Line)> ApkToolsVectors()
    {
        var path = Path.Combine(Corpus.RepositoryRoot, "tests", "ScanEngine.Tests", "Alpine", "apk-tools-version.data");
        var vectors = new List<(string, int, string, int)>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            if (raw.StartsWith('#') || raw.Trim().Length == 0) continue;
            var hash = raw.IndexOf('#');
            var parts = (hash < 0 ? raw : raw[..hash]).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) throw new FormatException($"{path}:{lineNumber}: expected 'A op B', got '{raw}'");
            var expected = parts[1] switch
            {
                "<" => -1,
                "=" => 0,
                ">" => 1,
                _ => throw new FormatException($"{path}:{lineNumber}: unknown operator '{parts[1]}'"),
            };
            vectors.Add((parts[0], expected, parts[2], lineNumber));
        }
        return vectors;
    }

    [Test]
    public void Every_line_of_apk_tools_own_version_test_list_holds_both_ways()
    {
        var vectors = ApkToolsVectors();
        Assert.That(vectors, Has.Count.EqualTo(733)); // the whole upstream list, no line lost
        var failures = vectors
            .Where(v => Sign(v.A, v.B) != v.Expected || Sign(v.B, v.A) != -v.Expected)
            .Select(v => $"line {v.Line}: {v.A} {v.Expected} {v.B}, got {Sign(v.A, v.B)} / {Sign(v.B, v.A)}")
            .ToList();
        Assert.That(failures, Is.Empty);
    }

    // The suffix ladder and revisions: pre-release suffixes, release, post-release suffixes, then -rN.
    [Test]
    public void Suffixes_and_revisions_order_as_apk_documents()
    {
        string[] ladder =
        [
            "1.0_alpha", "1.0_alpha1", "1.0_beta", "1.0_beta2", "1.0_pre1", "1.0_rc1", "1.0_rc2", "1.0",
            "1.0-r1", "1.0-r10", "1.0_cvs", "1.0_svn", "1.0_git20230101", "1.0_hg", "1.0_p1", "1.0_p1-r1", "1.0_p2",
            "1.0a", "1.0b", "1.0.0", "1.0.1_rc1", "1.0.1", "1.1", "1.10", "2",
        ];
        for (var i = 0; i < ladder.Length; i++)
            for (var j = 0; j < ladder.Length; j++)
                Assert.That(Sign(ladder[i], ladder[j]), Is.EqualTo(i.CompareTo(j)), $"{ladder[i]} vs {ladder[j]}");
    }

    [TestCase("1.2.4-r0", "1.2.4-r3", -1)] // ALPINE-CVE-2025-26519: musl on v3.18 is fixed in 1.2.4-r3
    [TestCase("1.1.1q-r0", "1.1.1t-r0", -1)]
    [TestCase("3.1.0-r4", "3.1.1-r0", -1)]
    [TestCase("20230506-r0", "20220614-r0", 1)]
    [TestCase("1.05", "1.005", 1)] // a number after a dot with a leading zero compares as text
    [TestCase("1.0", "1.00", -1)]
    [TestCase("1.01", "1.1", -1)]
    [TestCase("1.10", "1.9", 1)] // numerically without leading zeros
    [TestCase("006", "6", 0)] // leading zeros of the first number do not count
    [TestCase("99999999999999999999999", "100000000000000000000000", -1)] // no overflow
    [TestCase("1.0.0_pre99999999999999999999", "1.0.0_pre100000000000000000000", -1)]
    [TestCase("", "0", 0)]
    [TestCase(" 1.2.3-r0\t", "1.2.3-r0", 0)]
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Sign(a, b), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Sign(b, a), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [Test]
    public void Null_sorts_first()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare(null, null), Is.Zero);
            Assert.That(Comparer.Compare(null, ""), Is.LessThan(0));
            Assert.That(Comparer.Compare("1", null), Is.GreaterThan(0));
        });
    }

    [TestCase("1.0-")]
    [TestCase("1.0-r")]
    [TestCase("-r1")]
    [TestCase("_alpha")]
    [TestCase("1..2")]
    [TestCase("1.0_foo")]
    [TestCase("1.0a.1")]
    [TestCase("1.0_p1.2")]
    [TestCase("1.0-r1-r2")]
    [TestCase("1.0\0garbage")]
    [TestCase("1.0 é ☃")]
    [TestCase("v1.0")]
    [TestCase("1.0-rc1")]
    [TestCase("1.0~abc-r0")]
    public void Odd_versions_never_throw_and_compare_consistently(string odd)
    {
        foreach (var other in new[] { "", "0", "1.0", "1.0-r0", "1.0_p1", "2", odd })
        {
            var forward = Sign(odd, other);
            Assert.That(Sign(other, odd), Is.EqualTo(-forward), $"{odd} vs {other}");
        }
        Assert.That(Comparer.Compare(odd, odd), Is.Zero);
        Assert.That(Comparer.Compare(odd, new string(odd.ToCharArray())), Is.Zero);
    }

    [Test]
    public void Nul_ends_the_version_as_in_apk()
    {
        Assert.That(Sign("1.0\0garbage", "1.0"), Is.Zero);
    }

    [Test]
    public void Corpus_versions_of_both_alpine_images_are_ordered_consistently()
    {
        var versions = new[] { "alpine-3.16-syft", "alpine-3.18-scalibr" }
            .SelectMany(image => ApkInstalledParser.Parse(File.ReadAllBytes(Corpus.PathOf("inventory", "apk", image, "lib", "apk", "db", "installed"))))
            .Select(e => e.Version)
            .Distinct()
            .ToList();
        Assert.That(versions, Has.Count.EqualTo(19));
        ApkVersionProperties.AssertTotalPreorder(versions);
    }
}
