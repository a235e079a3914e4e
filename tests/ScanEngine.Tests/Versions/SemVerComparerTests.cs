using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Tests.Versions;

[TestFixture]
public sealed class SemVerComparerTests
{
    private static readonly SemVerComparer Comparer = SemVerComparer.Instance;

    private static void AssertOrder(SemVerComparer comparer, string a, string b, int expected) => Assert.Multiple(() =>
    {
        Assert.That(Math.Sign(comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
        Assert.That(Math.Sign(comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
    });

    [Test]
    public void Schemes_and_singletons()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SemVerComparer.Instance.Scheme, Is.EqualTo("semver"));
            Assert.That(SemVerComparer.NuGet.Scheme, Is.EqualTo("nuget"));
            Assert.That(SemVerComparer.Go.Scheme, Is.EqualTo("go"));
            Assert.That(SemVerComparer.Instance, Is.SameAs(Comparer));
        });
    }

    /// <summary>The precedence chain of semver.org item 11, each version below the next.</summary>
    [Test]
    public void SemVer_spec_precedence_example()
    {
        string[] chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"];
        for (var i = 0; i < chain.Length; i++)
            for (var j = 0; j < chain.Length; j++)
                AssertOrder(Comparer, chain[i], chain[j], i.CompareTo(j));
    }

    [TestCase("1.2.3", "v1.2.3", 0)]
    [TestCase("=1.2.3", " v1.2.3 ", 0)]
    [TestCase("1.2.3+build.5", "1.2.3+other", 0)] // build metadata does not count
    [TestCase("1.2.3-beta+exp.sha.5114f85", "1.2.3-beta", 0)]
    [TestCase("1.2", "1.2.0", 0)] // missing numbers are 0, as in npm X-ranges
    [TestCase("1", "1.0.0", 0)]
    [TestCase("01.002.3", "1.2.3", 0)] // loose: leading zeros
    [TestCase("1.2.3beta", "1.2.3-beta", 0)] // loose: no "-" before a prerelease
    [TestCase("1.2.3-1", "1.2.3-a", -1)] // numeric identifiers before alphanumeric ones
    [TestCase("1.2.3-alpha.10", "1.2.3-alpha.9", 1)]
    [TestCase("1.2.3-Alpha", "1.2.3-alpha", -1)] // ordinal: upper case first
    [TestCase("1.2.3-a-b", "1.2.3-a", 1)]
    [TestCase("99999999999999999999.0.0", "100000000000000000000.0.0", -1)] // no overflow
    [TestCase("1.5.4", "1.5.5", -1)]
    [TestCase("0.2.3", "0.2.4", -1)]
    [TestCase("not a version", "0.0.0", -1)] // text that is not a version sorts first
    [TestCase("1.2.3.4", "1.2.3", -1)] // a fourth number is not SemVer: fallback, below versions
    public void Known_orderings(string a, string b, int expected) => AssertOrder(Comparer, a, b, expected);

    [Test]
    public void Null_first_and_odd_input_never_throws()
    {
        var random = new Random(11);
        const string alphabet = "0123456789.-+vV= aZ~_";
        var strings = Enumerable.Range(0, 400)
            .Select(_ => new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare(null, null), Is.Zero);
            Assert.That(Comparer.Compare(null, "1.0.0"), Is.LessThan(0));
            Assert.That(Comparer.Compare("", null), Is.GreaterThan(0));
            foreach (var comparer in new[] { SemVerComparer.Instance, SemVerComparer.NuGet, SemVerComparer.Go })
                for (var i = 0; i + 1 < strings.Count; i++)
                    Assert.That(Math.Sign(comparer.Compare(strings[i], strings[i + 1])),
                        Is.EqualTo(-Math.Sign(comparer.Compare(strings[i + 1], strings[i]))), $"'{strings[i]}' '{strings[i + 1]}'");
        });
        // And sorting with it is consistent (a total order: Sort would throw or misorder otherwise).
        var sorted = strings.Order(SemVerComparer.Instance).ToList();
        for (var i = 0; i + 1 < sorted.Count; i++)
            Assert.That(Comparer.Compare(sorted[i], sorted[i + 1]), Is.LessThanOrEqualTo(0));
    }

    /// <summary>
    /// NuGet's documented ordering of pre-release versions, highest first, from
    /// https://learn.microsoft.com/nuget/concepts/package-versioning (section "Pre-release versions"):
    /// labels sort by string, so "alpha2" is above "alpha10".
    /// </summary>
    [Test]
    public void NuGet_documented_prerelease_order()
    {
        string[] descending = ["1.0.1", "1.0.1-zzz", "1.0.1-rc", "1.0.1-open", "1.0.1-beta", "1.0.1-alpha2", "1.0.1-alpha10", "1.0.1-aaa"];
        for (var i = 0; i < descending.Length; i++)
            for (var j = 0; j < descending.Length; j++)
                AssertOrder(SemVerComparer.NuGet, descending[i], descending[j], j.CompareTo(i));
    }

    /// <summary>
    /// NuGet rules from https://learn.microsoft.com/nuget/concepts/package-versioning: a fourth "Revision"
    /// number, "1.0" = "1.0.0" = "1.0.0.0" (normalisation), SemVer 2.0 dot-separated labels, build metadata
    /// ignored, and pre-release labels compared case-insensitively.
    /// </summary>
    [TestCase("1.0", "1.0.0.0", 0)]
    [TestCase("1.0.0.1", "1.0.0", 1)]
    [TestCase("1.0.0.1", "1.0.1", -1)]
    [TestCase("13.0.1", "13.0.1.0", 0)]
    [TestCase("9.0.1", "13.0.1", -1)]
    [TestCase("1.0.0-Beta", "1.0.0-beta", 0)]
    [TestCase("1.0.0-RC.1", "1.0.0-rc.2", -1)]
    [TestCase("1.0.0-alpha.1", "1.0.0-alpha.beta", -1)]
    [TestCase("1.0.0+git.abc", "1.0.0", 0)]
    [TestCase("1.0.0-beta", "1.0.0", -1)]
    public void NuGet_versions(string a, string b, int expected) => AssertOrder(SemVerComparer.NuGet, a, b, expected);

    [TestCase("v0.17.0", "0.17.0", 0)]
    [TestCase("v2.0.0+incompatible", "2.0.0", 0)]
    [TestCase("v0.0.0-20210226172049-e18ecbb05110", "v0.0.0-20220314234659-1baeb1ce4c0b", -1)] // pseudo-versions
    [TestCase("v0.0.0-20220314234659-1baeb1ce4c0b", "0.1.0", -1)]
    [TestCase("v1.2.4-0.20230101000000-abcdefabcdef", "v1.2.4", -1)]
    [TestCase("v1.2.4-0.20230101000000-abcdefabcdef", "v1.2.3", 1)]
    public void Go_versions(string a, string b, int expected) => AssertOrder(SemVerComparer.Go, a, b, expected);

    /// <summary>
    /// Three-way agreement with node's semver (loose mode) on 12,000 generated pairs: numeric parts, mixed
    /// prerelease identifiers, build metadata, "v"/"=" prefixes; one node process over one file.
    /// </summary>
    [Test]
    public void Agrees_with_node_semver_on_generated_pairs()
    {
        if (NodeSemverOracle.EnsureInstalled() is { } why) Assert.Fail($"No node semver oracle (tests/run.sh installs nodejs and npm): {why}.");
        var generator = new SemVerGenerator(seed: 20260124);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var expected = NodeSemverOracle.Compare(pairs, loose: true);

        var invalid = pairs.Where((_, i) => expected[i] is null).Take(5).ToList();
        Assert.That(invalid, Is.Empty, "the generator produced versions node-semver rejects");
        var disagreements = pairs
            .Select((p, i) => (p.A, p.B, Node: expected[i], Ours: Math.Sign(Comparer.Compare(p.A, p.B))))
            .Where(r => r.Node != r.Ours).Take(20).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(disagreements, Is.Empty, $"node semver {NodeSemverOracle.InstalledVersion} disagrees");
            Assert.That(expected.Count(e => e == 0), Is.GreaterThan(500), "equal pairs are exercised");
            Assert.That(expected.Count(e => e < 0), Is.GreaterThan(2000));
            Assert.That(expected.Count(e => e > 0), Is.GreaterThan(2000));
        });
    }
}
