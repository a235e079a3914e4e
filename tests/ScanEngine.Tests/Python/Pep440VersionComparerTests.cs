using ImageScanning.ScanEngine.Ecosystems.Python;

namespace ImageScanning.ScanEngine.Tests.Python;

[TestFixture]
public sealed class Pep440VersionComparerTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly Pep440VersionComparer Comparer = Pep440VersionComparer.Instance;

    // Reads the pairs file, writes -1/0/1 per pair, "err" where packaging raises InvalidVersion.
    private const string OracleScript = """
        import sys
        from packaging.version import Version, InvalidVersion
        def parse(s):
            try:
                return Version(s)
            except InvalidVersion:
                return None
        with open(sys.argv[1], encoding="utf-8", newline="\n") as pairs, open(sys.argv[2], "w", encoding="utf-8") as out:
            for line in pairs:
                a, b = line.rstrip("\n").split("\x1f")
                va, vb = parse(a), parse(b)
                out.write("err\n" if va is None or vb is None else "%d\n" % ((va > vb) - (va < vb)))
        """;

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("pep440"));
        Assert.That(new PythonEcosystem().VersionComparer, Is.SameAs(Comparer));
    }

    // Orderings and equivalences from PEP 440's text (normalisation and summary of permitted suffixes).
    [TestCase("1.0.0a1", "1.0a1", 0)]
    [TestCase("1.0-post1", "1.0.post1", 0)]
    [TestCase("v1.0", "1.0", 0)]
    [TestCase("1.0", "1.0.0.0", 0)]
    [TestCase("1.0ALPHA1", "1.0a1", 0)]
    [TestCase("1.0c1", "1.0rc1", 0)]
    [TestCase("1.0-preview_2", "1.0rc2", 0)]
    [TestCase("1.0-1", "1.0.post1", 0)]
    [TestCase("1.0.rev", "1.0.post0", 0)]
    [TestCase("1.0-dev", "1.0.dev0", 0)]
    [TestCase("0!1.0", "1.0", 0)]
    [TestCase("1.0+ubuntu-1", "1.0+ubuntu.1", 0)]
    [TestCase("1.0+01", "1.0+1", 0)]
    [TestCase(" 1.0\n", "1.0", 0)]
    [TestCase("1.dev0", "1.0a1", -1)]
    [TestCase("1.0a1", "1.0a2.dev456", -1)]
    [TestCase("1.0a2.dev456", "1.0a12.dev456", -1)]
    [TestCase("1.0a12", "1.0b1.dev456", -1)]
    [TestCase("1.0b2.post345.dev456", "1.0b2.post345", -1)]
    [TestCase("1.0b2.post345", "1.0b2-346", -1)]
    [TestCase("1.0c1.dev456", "1.0c1", -1)]
    [TestCase("1.0rc2", "1.0", -1)]
    [TestCase("1.0", "1.0+abc.5", -1)]
    [TestCase("1.0+abc.5", "1.0+abc.7", -1)]
    [TestCase("1.0+abc.7", "1.0+5", -1)]
    [TestCase("1.0+5", "1.0.post456.dev34", -1)]
    [TestCase("1.0.post456.dev34", "1.0.post456", -1)]
    [TestCase("1.0.15", "1.1.dev1", -1)]
    [TestCase("1.1", "1!0.1", -1)]
    [TestCase("2.2.5", "2.3.0", -1)]
    [TestCase("99999999999999999999999", "100000000000000000000000", -1)]
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [TestCase("")]
    [TestCase("latest")]
    [TestCase("1.0.0-beta.1+exp~sha")] // SemVer build metadata with "~", not PEP 440
    [TestCase("1.0+")]
    [TestCase("1..0")]
    [TestCase("1.0 a1")]
    [TestCase("2023.10.1-1ubuntu")]
    public void Invalid_versions_sort_before_valid_ones_and_never_throw(string invalid)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Pep440VersionComparer.IsValid(invalid), Is.False);
            Assert.That(Comparer.Compare(invalid, "0.dev0"), Is.LessThan(0));
            Assert.That(Comparer.Compare("0.dev0", invalid), Is.GreaterThan(0));
            Assert.That(Comparer.Compare(invalid, invalid), Is.Zero);
            Assert.That(Comparer.Compare(null, invalid), Is.LessThan(0));
            Assert.That(Comparer.Compare("zz-invalid", invalid), Is.EqualTo(Math.Sign(string.CompareOrdinal("zz-invalid", invalid))));
        });
    }

    [Test]
    public void Random_strings_never_throw_and_stay_antisymmetric()
    {
        var random = new Random(11);
        const string alphabet = "0123456789.!+-_ abcdeoprstvv\t";
        string Next() => new([.. Enumerable.Range(0, random.Next(0, 14)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var n = 0; n < 20_000; n++)
        {
            var (a, b) = (Next(), Next());
            var ab = Math.Sign(Comparer.Compare(a, b));
            if (ab != -Math.Sign(Comparer.Compare(b, a))) Assert.Fail($"not antisymmetric: '{a}' vs '{b}'");
        }
    }

    /// <summary>
    /// Exact three-way agreement with packaging.version.Version on 12,000 generated pairs and 2,000 pairs of the
    /// real versions the corpus's PyPI advisories list, one python3 process.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Agrees_with_python_packaging_on_generated_pairs()
    {
        if (!ExternalOracle.Succeeds(Python, "-c", "import packaging.version"))
            Assert.Fail("python3-packaging is missing (tests/run.sh installs it): no oracle to compare with.");

        var generator = new Pep440VersionGenerator(seed: 440);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var corpus = AdvisoryVersions.Of("PyPI");
        pairs.AddRange(AdvisoryVersions.Pairs(corpus, 2_000, seed: 503));
        var expected = ExternalOracle.Compare(Python, OracleScript, ".py", pairs);

        var mismatches = new List<string>();
        int lt = 0, eq = 0, gt = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            if (expected[i] is not { } want) { mismatches.Add($"packaging rejected '{a}' or '{b}' (generator bug)"); continue; }
            _ = want switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var got = Math.Sign(Comparer.Compare(a, b));
            if (got != want) mismatches.Add($"'{a}' vs '{b}': packaging {want}, ours {got}");
        }
        Assert.That(corpus, Has.Count.GreaterThan(500));
        TestContext.Out.WriteLine($"{pairs.Count} pairs ({corpus.Count} corpus versions): {lt} lt, {eq} eq, {gt} gt; {mismatches.Count} disagreements.");
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
        Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(1_000), "the generator should exercise all three outcomes");
    }

    /// <summary>Strings packaging rejects are exactly those we treat as invalid (the lenient fallback's domain).</summary>
    [Test]
    [CancelAfter(120_000)]
    public void Validity_agrees_with_python_packaging()
    {
        if (!ExternalOracle.Succeeds(Python, "-c", "import packaging.version"))
            Assert.Fail("python3-packaging is missing (tests/run.sh installs it): no oracle to compare with.");
        var random = new Random(503);
        const string alphabet = "0123456789.!+-_abcdeilnoprstuvwVAB";
        var strings = Enumerable.Range(0, 5_000)
            .Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 10)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
            .ToList();
        var answers = ExternalOracle.Compare(Python, OracleScript, ".py", strings.Select(s => (s, "0")).ToList());
        var mismatches = strings.Where((s, i) => (answers[i] is not null) != Pep440VersionComparer.IsValid(s)).ToList();
        TestContext.Out.WriteLine($"{answers.Count(a => a is not null)} of {strings.Count} random strings are valid PEP 440.");
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
    }
}
