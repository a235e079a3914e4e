using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Ruby;
using ImageScanning.ScanEngine.Tests.Python;

namespace ImageScanning.ScanEngine.Tests.Ruby;

[TestFixture]
public sealed class RubyGemsVersionComparerTests
{
    private const string Ruby = "/usr/bin/ruby";
    private static readonly RubyGemsVersionComparer Comparer = RubyGemsVersionComparer.Instance;

    // Reads the pairs file, writes -1/0/1 per pair, "err" where Gem::Version rejects a version.
    private const string OracleScript = """
        out = File.open(ARGV[1], "w")
        File.foreach(ARGV[0], encoding: "UTF-8") do |line|
          a, b = line.chomp.split("\x1f", -1)
          if Gem::Version.correct?(a) && Gem::Version.correct?(b)
            out.puts(Gem::Version.new(a) <=> Gem::Version.new(b))
          else
            out.puts("err")
          end
        end
        out.close
        """;

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("rubygems"));
        Assert.That(new RubyEcosystem().VersionComparer, Is.SameAs(Comparer));
    }

    // Orderings documented for Gem::Version and from RubyGems' test_gem_version.rb.
    [TestCase("1.0", "1.0.0", 0)]
    [TestCase("1.0.a", "1.0a", 0)]
    [TestCase("1.0-rc1", "1.0.pre.rc1", 0)]
    [TestCase("", "0", 0)]
    [TestCase(" 1.2 ", "1.2", 0)]
    [TestCase("1.0.0.a.1.0", "1.0.a1", 0)]
    [TestCase("1.0.a", "1.0", -1)]
    [TestCase("1.0.a", "1.0.b", -1)]
    [TestCase("1.0.a10", "1.0.a9", 1)]
    [TestCase("1.0.rc1", "1.0", -1)]
    [TestCase("1.0.0.rc1", "1.0.1", -1)]
    [TestCase("1.8.2", "1.8.2.a", 1)]
    [TestCase("1.8.2.b", "1.8.2.a", 1)]
    [TestCase("0.beta.1", "0.0.beta.1", 0)]
    [TestCase("0.0.beta", "0.0.beta.1", -1)]
    [TestCase("5.a", "5.0.0.rc2", -1)]
    [TestCase("5.x", "5.0.0.rc2", 1)]
    [TestCase("1.9.3", "1.9.3.0", 0)]
    [TestCase("1.10", "1.9", 1)]
    [TestCase("7.0.3", "7.0.3.1", -1)]
    [TestCase("3.21.0.rc.1", "3.21.0", -1)]
    [TestCase("1.0.A", "1.0.a", -1)] // byte-wise: upper case first
    [TestCase("123456789012345678901234567890", "123456789012345678901234567891", -1)]
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [TestCase("junk", false)]
    [TestCase("1.0\n2.0", false)]
    [TestCase("1..2", false)]
    [TestCase("1.2.", false)]
    [TestCase("-1", false)]
    [TestCase("1.0-", false)]
    [TestCase("1.0-pre-1.x", true)]
    [TestCase("", true)]
    [TestCase("1.0.0-x86_64", false)]
    public void Validity_and_lenient_fallback(string version, bool valid)
    {
        Assert.That(RubyGemsVersionComparer.IsValid(version), Is.EqualTo(valid));
        foreach (var other in new[] { "0", "1.0", "junk", "1.0.a", version })
            Assert.That(Math.Sign(Comparer.Compare(version, other)), Is.EqualTo(-Math.Sign(Comparer.Compare(other, version))));
        Assert.That(Comparer.Compare(null, version), Is.LessThan(0));
    }

    /// <summary>
    /// Exact three-way agreement with Ruby's own Gem::Version on 6,000 generated pairs and 2,000 pairs of the real
    /// versions the corpus's RubyGems advisories list (rc and pre-release forms included), one ruby process.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Agrees_with_ruby_Gem_Version_on_generated_pairs()
    {
        if (!File.Exists(Ruby)) Assert.Fail($"{Ruby} is missing (tests/run.sh installs ruby): no oracle to compare with.");
        var random = new Random(1993);
        var pairs = Enumerable.Range(0, 6_000).Select(_ => NextPair(random)).ToList();
        var corpus = AdvisoryVersions.Of("RubyGems");
        pairs.AddRange(AdvisoryVersions.Pairs(corpus, 2_000, seed: 1994));
        var expected = ExternalOracle.Compare(Ruby, OracleScript, ".rb", pairs);

        var mismatches = new List<string>();
        int lt = 0, eq = 0, gt = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            var validity = RubyGemsVersionComparer.IsValid(a) && RubyGemsVersionComparer.IsValid(b);
            if (expected[i] is not { } want)
            {
                if (validity) mismatches.Add($"ruby rejected '{a}' or '{b}', we accept both");
                continue;
            }
            if (!validity) mismatches.Add($"ruby accepted '{a}' and '{b}', we reject one");
            _ = want switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var got = Math.Sign(Comparer.Compare(a, b));
            if (got != want) mismatches.Add($"'{a}' vs '{b}': ruby {want}, ours {got}");
        }
        Assert.That(corpus, Has.Count.GreaterThan(200));
        TestContext.Out.WriteLine($"{pairs.Count} pairs ({corpus.Count} corpus versions): {lt} lt, {eq} eq, {gt} gt, {pairs.Count - lt - eq - gt} rejected; {mismatches.Count} disagreements.");
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
        Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(500), "the generator should exercise all three outcomes");
        Assert.That(lt + eq + gt, Is.GreaterThanOrEqualTo(5_000));
    }

    /// <summary>Versions with numbers (leading/trailing zeros), letter segments, "-" pre-releases; the second often a small change of the first.</summary>
    private static (string, string) NextPair(Random random)
    {
        string Segment() => random.Next(10) switch
        {
            < 5 => random.Next(0, 4).ToString(),
            5 => "0" + random.Next(0, 3),
            6 => new[] { "a", "b", "rc", "pre", "beta", "alpha", "A", "x" }[random.Next(8)],
            7 => new[] { "a", "rc", "beta", "b" }[random.Next(4)] + random.Next(0, 3),
            8 => "0",
            _ => random.Next(0, 20).ToString(),
        };
        string Version()
        {
            var sb = new StringBuilder(random.Next(0, 5).ToString());
            for (var n = random.Next(0, 5); n > 0; n--) sb.Append('.').Append(Segment());
            if (random.Next(8) == 0) sb.Append('-').Append(Segment());
            if (random.Next(30) == 0) sb.Insert(0, ' ');
            if (random.Next(200) == 0) return random.Next(2) == 0 ? "" : "1..0";
            return sb.ToString();
        }
        var a = Version();
        var b = random.Next(10) switch
        {
            < 3 => a + ".0",
            3 => a + "." + Segment(),
            4 => a.Replace(".0", "", StringComparison.Ordinal),
            5 => a.Replace("-", ".pre.", StringComparison.Ordinal),
            _ => Version(),
        };
        return (a, b);
    }
}
