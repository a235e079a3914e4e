using ImageScanning.ScanEngine.Ecosystems.Rpm;

namespace ImageScanning.ScanEngine.Tests.Rpm;

[TestFixture]
public sealed class RpmVersionComparerTests
{
    private static readonly RpmVersionComparer Comparer = RpmVersionComparer.Instance;

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("rpm"));
        Assert.That(RpmVersionComparer.Instance, Is.SameAs(Comparer));
    }

    // Cases from rpm's own test suite (tests/rpmvercmp.at) and real advisory versions.
    [TestCase("1.0", "1.0", 0)]
    [TestCase("1.0", "2.0", -1)]
    [TestCase("2.0.1", "2.0", 1)]
    [TestCase("2.0.1a", "2.0.1", 1)]
    [TestCase("5.5p1", "5.5p2", -1)]
    [TestCase("5.5p10", "5.5p1", 1)]
    [TestCase("10xyz", "10.1xyz", -1)]
    [TestCase("xyz10", "xyz10.1", -1)]
    [TestCase("xyz.4", "8", -1)]
    [TestCase("5.6.7", "5.6-7", 1)] // "5.6" with release "7" against version "5.6.7"
    [TestCase("1b.fc17", "1.fc17", -1)]
    [TestCase("6.0.rc1", "6.0", 1)]
    [TestCase("10b2", "10a1", 1)]
    [TestCase("1.0aa", "1.0a", 1)]
    [TestCase("10.0001", "10.1", 0)]
    [TestCase("1.0~rc1", "1.0", -1)]
    [TestCase("1.0~rc1", "1.0~rc2", -1)]
    [TestCase("1.0~rc1~git123", "1.0~rc1", -1)]
    [TestCase("1.0^", "1.0", 1)]
    [TestCase("1.0^git1", "1.0", 1)]
    [TestCase("1.0^git1", "1.01", -1)]
    [TestCase("1.0^20160101", "1.0.1", -1)]
    [TestCase("1.0~rc1^git1", "1.0~rc1", 1)]
    [TestCase("1.0^git1~pre", "1.0^git1", -1)]
    [TestCase("1:1.0-1", "2.0-1", 1)]
    [TestCase("0:1.0-1", "1.0-1", 0)]
    [TestCase("1.2.3-4.el9", "0:1.2.3-4.el9", 0)]
    [TestCase("3.0.7-27.el9", "1:3.0.7-27.el9", -1)]
    [TestCase("1:3.0.7-25.el9_3", "1:3.0.7-27.el9", -1)]
    [TestCase("2.34-2.cm2", "2.34-10.cm2", -1)]
    [TestCase("1.0", "1.0-1", -1)] // no release sorts before any release, as labelCompare does
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [Test]
    public void Random_odd_strings_never_throw_and_stay_antisymmetric()
    {
        var random = new Random(11);
        const string alphabet = "0123456789:-~^._+aZé \0";
        string Next()
        {
            var chars = new char[random.Next(0, 12)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            return new string(chars);
        }
        Assert.That(Comparer.Compare(null, null), Is.Zero);
        Assert.That(Comparer.Compare(null, ""), Is.LessThan(0));
        for (var n = 0; n < 20_000; n++)
        {
            var a = Next();
            var b = Next();
            var ab = Math.Sign(Comparer.Compare(a, b));
            var ba = Math.Sign(Comparer.Compare(b, a));
            if (ab != -ba) Assert.Fail($"not antisymmetric: '{a}' vs '{b}': {ab} and {ba}");
            if (Comparer.Compare(a, a) != 0) Assert.Fail($"'{a}' is not equal to itself");
        }
    }

    /// <summary>Exact three-way agreement with rpm's labelCompare (python3-rpm) on 12,000 generated triples' pairs.</summary>
    [Test]
    [CancelAfter(120_000)]
    public void Agrees_with_rpm_labelCompare_on_generated_pairs()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");

        var generator = new RpmVersionGenerator(seed: 20261128);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var expected = RpmOracle.Compare(pairs);

        var mismatches = new List<string>();
        int lt = 0, eq = 0, gt = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            _ = expected[i] switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var got = Math.Sign(Comparer.Compare(a.ToString(), b.ToString()));
            if (got != expected[i]) mismatches.Add($"({a.Epoch}, {a.Version}, {a.Release}) vs ({b.Epoch}, {b.Version}, {b.Release}): rpm {expected[i]}, ours {got}");
        }
        TestContext.Out.WriteLine($"{pairs.Count} pairs: {lt} lt, {eq} eq, {gt} gt; {mismatches.Count} disagreements.");
        Assert.Multiple(() =>
        {
            Assert.That(Math.Min(lt, Math.Min(eq, gt)), Is.GreaterThan(500), "the generator should hit all three outcomes often");
            Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
        });
    }
}
