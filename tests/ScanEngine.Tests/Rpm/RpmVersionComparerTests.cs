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

    /// <summary>
    /// Real installed and fixed versions of the vendor feeds' tests (Amazon Linux 2023's rpm database and updateinfo, SUSE's
    /// and Oracle's release suffixes), in the "[epoch:]version-release" form the records and the rpm database use.
    /// </summary>
    private static readonly (string A, string B)[] VendorVersions =
    [
        // Amazon Linux 2023 (AmazonLinuxImageScanTests) and Amazon Linux 2 / 2022 updateinfo.
        ("0:2.5.0-1.amzn2023.0.2", "0:2.5.0-1.amzn2023.0.3"),
        ("1:3.0.8-1.amzn2023.0.4", "1:3.0.8-1.amzn2023.0.5"),
        ("5.2.15-1.amzn2023.0.2", "0:5.2.15-1.amzn2023.0.2"),
        ("1:6.2.1-2.amzn2023.0.2", "0:6.3.0-1.amzn2023"),
        ("8.2204.0-3.amzn2023.0.2", "8.2204.0-3.amzn2023.0.10"),
        ("20220428-1.gitdfb10ea.amzn2023.0.2", "20220428-1.gitdfb10ea.amzn2023"),
        ("4.9.76-38.79.amzn2", "4.9.77-41.59.amzn2"),
        ("10:1.5.3-141.amzn2.5.3", "10:1.5.3-141.amzn2"),
        ("2023.1.20230825-0.amzn2023", "2023.1.20230825-1.amzn2023"),
        // SUSE Linux Enterprise / BCI ("150500.5.8.1": product code, then build counters).
        ("3.0.8-150500.5.8.1", "3.0.8-150500.5.11.1"),
        ("1.1.1l-150500.17.25.1", "1.1.1l-150500.17.9.1"),
        ("2.31-150300.63.1", "2.31-150300.52.2"),
        ("4.4-150400.2.3", "4.4-9.6.1"),
        // Oracle Linux (".0.1" marks Oracle's rebuilds, ".ksplice1" ksplice-patched userspace).
        ("1:1.1.1k-12.el8_9", "1:1.1.1k-12.0.1.el8_9"),
        ("4.18.0-513.24.1.el8_9", "4.18.0-513.24.1.0.1.el8_9"),
        ("2.28-236.0.1.el8", "2.28-236.0.1.el8.7"),
        ("2:2.28-236.0.1.ksplice1.el8", "2.28-236.0.1.el8"),
        ("0:1.2-3.el8", "1.2-3.el8"),
    ];

    [Test]
    public void Agrees_with_rpm_labelCompare_on_the_vendor_feeds_versions()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        static Evr Parse(string s)
        {
            var colon = s.IndexOf(':');
            var rest = s[(colon + 1)..];
            var dash = rest.LastIndexOf('-');
            return new Evr(colon > 0 ? s[..colon] : null, dash < 0 ? rest : rest[..dash], dash < 0 ? null : rest[(dash + 1)..]);
        }
        var pairs = VendorVersions.Select(p => (Parse(p.A), Parse(p.B))).ToList();
        var expected = RpmOracle.Compare(pairs);
        Assert.Multiple(() =>
        {
            for (var i = 0; i < pairs.Count; i++)
                Assert.That(Math.Sign(Comparer.Compare(VendorVersions[i].A, VendorVersions[i].B)), Is.EqualTo(expected[i]), $"{VendorVersions[i].A} vs {VendorVersions[i].B}");
        });
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
