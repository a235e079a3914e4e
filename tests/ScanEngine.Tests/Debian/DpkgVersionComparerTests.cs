using System.Diagnostics;
using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Debian;

[TestFixture]
public sealed partial class DpkgVersionComparerTests
{
    private static readonly DpkgVersionComparer Comparer = DpkgVersionComparer.Instance;

    [Test]
    public void Scheme_and_singleton()
    {
        Assert.That(Comparer.Scheme, Is.EqualTo("dpkg"));
        Assert.That(DpkgVersionComparer.Instance, Is.SameAs(Comparer));
    }

    // Examples from Debian Policy 5.6.12 and dpkg's own test suite (t-version.c).
    [TestCase("1.0", "1.0", 0)]
    [TestCase("1.0", "1.00", 0)]
    [TestCase("1.01", "1.1", 0)]
    [TestCase("0:1.0", "1.0", 0)]
    [TestCase("", "0", 0)]
    [TestCase("1.0-0", "1.0", 0)] // revision "0" and no revision compare equal
    [TestCase("1.0~rc1", "1.0", -1)]
    [TestCase("1.0~~", "1.0~~a", -1)]
    [TestCase("1.0~~a", "1.0~", -1)]
    [TestCase("1.0~", "1.0", -1)]
    [TestCase("1.0", "1.0a", -1)]
    [TestCase("1.0a", "1.0+", -1)] // letters sort before non-letters
    [TestCase("1.0+", "1.0.", -1)]
    [TestCase("1.0", "1.0.0", -1)]
    [TestCase("1:0.1", "2.0", 1)]
    [TestCase("2:1", "10:0", -1)]
    [TestCase("1.2.3-1", "1.2.3-1+b1", -1)]
    [TestCase("2.36.1-8+deb11u1", "2.36.1-8+deb11u2", -1)]
    [TestCase("1.2-1~deb11u2", "1.2-1", -1)]
    [TestCase("1.2-1+deb12u1", "1.2-2", -1)]
    [TestCase("1.2-1+deb12u1", "1.2-1", 1)]
    [TestCase("3.0.11-1~deb12u2", "3.0.11-1~deb12u10", -1)]
    [TestCase("1.1.1n-0+deb11u5", "1.1.1w-0+deb11u1", -1)]
    [TestCase("8-20180414-1ubuntu2", "8.4.0-1ubuntu1~18.04", -1)]
    [TestCase("A", "a", -1)]
    [TestCase("1.0-a", "1.0-B", 1)]
    [TestCase("99999999999999999999999999", "100000000000000000000000000", -1)]
    [TestCase("1.000000000000000000000000000000001", "1.1", 0)]
    [TestCase("1:123456789012345678901234567890", "1:123456789012345678901234567891", -1)]
    [TestCase("1.0-1", "1.0-1.0", -1)]
    [TestCase("1.0-1-1", "1.0-1", 1)] // upstream "1.0-1" > "1.0"
    [TestCase("1:2:3", "1:2:4", -1)]    // a colon in the upstream version, allowed with an epoch
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-expected), $"{b} vs {a}");
        });
    }

    [Test]
    public void Null_sorts_first_and_blanks_are_trimmed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare(null, null), Is.Zero);
            Assert.That(Comparer.Compare(null, ""), Is.LessThan(0));
            Assert.That(Comparer.Compare("1", null), Is.GreaterThan(0));
            Assert.That(Comparer.Compare(" 1.0\t", "1.0"), Is.Zero);
        });
    }

    [TestCase("1:")]
    [TestCase(":1.0")]
    [TestCase("a:1.0")]
    [TestCase("-1:1.0")]
    [TestCase("99999999999999999999999:1.0")]
    [TestCase("1.0-")]
    [TestCase("-")]
    [TestCase(":")]
    [TestCase("1 0")]
    [TestCase("1.0\0garbage")]
    [TestCase("ü1.0-ß")]
    [TestCase("1.0-\U0001F600")]
    public void Invalid_versions_never_throw(string version)
    {
        foreach (var other in new[] { "", "0", "1.0", "1:1.0", version, "~", "a", "1.0-1" })
        {
            Assert.DoesNotThrow(() => Comparer.Compare(version, other));
            Assert.That(Math.Sign(Comparer.Compare(version, other)), Is.EqualTo(-Math.Sign(Comparer.Compare(other, version))));
        }
        Assert.That(Comparer.Compare(version, version), Is.Zero);
    }

    [Test]
    public void Lenient_cases_behave_like_dpkg_would_without_the_error()
    {
        Assert.Multiple(() =>
        {
            // An epoch beyond int still compares numerically.
            Assert.That(Comparer.Compare("99999999999999999999999:1.0", "99999999999999999999998:2.0"), Is.GreaterThan(0));
            // A malformed epoch is part of the upstream version.
            Assert.That(Comparer.Compare("a:1.0", "1:1.0"), Is.LessThan(0));
            // A NUL ends the version, as in C.
            Assert.That(Comparer.Compare("1.0\0xyz", "1.0"), Is.Zero);
            // Non-ASCII bytes sort after letters and before other ASCII characters, as dpkg's signed char does.
            Assert.That(Comparer.Compare("1.0z", "1.0é"), Is.LessThan(0));
            Assert.That(Comparer.Compare("1.0é", "1.0+"), Is.LessThan(0));
        });
    }

    [Test]
    public void Random_invalid_strings_never_throw_and_stay_antisymmetric()
    {
        var random = new Random(7);
        const string alphabet = "0123456789:-~+.aZ \t\0é";
        string Next()
        {
            var chars = new char[random.Next(0, 12)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            return new string(chars);
        }
        for (var n = 0; n < 20_000; n++)
        {
            var a = Next();
            var b = Next();
            var ab = Math.Sign(Comparer.Compare(a, b));
            var ba = Math.Sign(Comparer.Compare(b, a));
            if (ab != -ba) Assert.Fail($"not antisymmetric: '{a}' vs '{b}': {ab} and {ba}");
        }
    }

    /// <summary>
    /// Exact three-way agreement with this machine's dpkg on at least 10,000 generated pairs plus random
    /// pairs of the real versions found in the corpus status files.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Agrees_with_dpkg_on_generated_and_corpus_pairs()
    {
        if (!DpkgOracle.Available) Assert.Fail("dpkg is missing (Debian's dpkg package): no oracle to compare with.");

        const int generatedCount = 12_000;
        var generator = new DebianVersionGenerator(seed: 20240611);
        var pairs = new List<(string A, string B)>();
        while (pairs.Count < generatedCount)
        {
            var (a, b) = generator.NextPair();
            if (DpkgAccepts(a) && DpkgAccepts(b)) pairs.Add((a, b));
        }

        var corpus = CorpusVersions();
        var random = new Random(42);
        for (var n = 0; n < 1_000; n++)
            pairs.Add((corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)]));

        var watch = Stopwatch.StartNew();
        var ours = pairs.Select(p => Math.Sign(Comparer.Compare(p.A, p.B))).ToList();
        var expected = DpkgOracle.Compare(pairs, ours);
        watch.Stop();

        var mismatches = new List<string>();
        int lt = 0, eq = 0, gt = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            if (expected[i] is not { } want) { mismatches.Add($"dpkg rejected '{a}' or '{b}' (generator bug)"); continue; }
            _ = want switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var got = Math.Sign(Comparer.Compare(a, b));
            if (got != want) mismatches.Add($"'{a}' vs '{b}': dpkg {want}, ours {got}");
        }

        TestContext.Out.WriteLine($"Compared {pairs.Count} pairs ({generatedCount} generated, {pairs.Count - generatedCount} from " +
            $"{corpus.Count} corpus versions) with dpkg in {watch.Elapsed.TotalSeconds:F1} s: {lt} lt, {eq} eq, {gt} gt; " +
            $"{mismatches.Count} disagreements.");
        Assert.That(pairs, Has.Count.GreaterThanOrEqualTo(10_000));
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
    }

    /// <summary>
    /// Every pair of the corpus's real versions: sort them with our comparer, ask dpkg only about each
    /// adjacent pair, and derive dpkg's answer for every other pair by transitivity (dpkg's order is a total
    /// preorder); then check all n(n-1)/2 pairs against ours.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Agrees_with_dpkg_on_every_pair_of_corpus_versions()
    {
        if (!DpkgOracle.Available) Assert.Fail("dpkg is missing (Debian's dpkg package): no oracle to compare with.");

        var versions = CorpusVersions().ToList();
        versions.Sort(Comparer);
        var adjacent = new List<(string, string)>();
        for (var i = 0; i + 1 < versions.Count; i++) adjacent.Add((versions[i], versions[i + 1]));
        var steps = DpkgOracle.Compare(adjacent, adjacent.Select(p => Comparer.Compare(p.Item1, p.Item2)).ToList());

        var badSteps = Enumerable.Range(0, steps.Length).Where(i => steps[i] is not (-1 or 0))
            .Select(i => $"dpkg says '{adjacent[i].Item1}' vs '{adjacent[i].Item2}' is {steps[i]?.ToString() ?? "invalid"}").ToList();
        Assert.That(badSteps, Is.Empty, string.Join("\n", badSteps.Take(30)));

        // lessBefore[j]: number of strict steps among 0..j-1; versions i<j are equal for dpkg iff no strict step between.
        var strictBefore = new int[versions.Count];
        for (var i = 1; i < versions.Count; i++) strictBefore[i] = strictBefore[i - 1] + (steps[i - 1] < 0 ? 1 : 0);
        var mismatches = new List<string>();
        long checkedPairs = 0;
        for (var i = 0; i < versions.Count; i++)
            for (var j = i + 1; j < versions.Count; j++)
            {
                var want = strictBefore[j] > strictBefore[i] ? -1 : 0;
                var got = Math.Sign(Comparer.Compare(versions[i], versions[j]));
                var back = Math.Sign(Comparer.Compare(versions[j], versions[i]));
                checkedPairs++;
                if (got != want || back != -want) mismatches.Add($"'{versions[i]}' vs '{versions[j]}': dpkg {want}, ours {got}/{-back}");
            }
        TestContext.Out.WriteLine($"{versions.Count} distinct corpus versions, {steps.Length} dpkg calls on adjacent pairs, " +
            $"{checkedPairs} pairs checked, {mismatches.Count} disagreements.");
        Assert.That(versions, Has.Count.GreaterThan(500));
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
    }

    /// <summary>
    /// Real versions from the corpus status files: Version, Config-Version, "Source: name (version)" and the
    /// versions in relationship fields such as "Depends: libc6 (>= 2.34)".
    /// </summary>
    internal static IReadOnlyList<string> CorpusVersions()
    {
        var files = Directory.EnumerateFiles(Corpus.PathOf("inventory", "dpkg"), "status", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Corpus.PathOf("inventory", "dpkg-distroless"), "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".md5sums", StringComparison.Ordinal)));
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file))
            {
                var field = FieldLine().Match(line);
                if (field.Success) versions.Add(field.Groups[1].Value);
                foreach (Match m in Relation().Matches(line)) versions.Add(m.Groups[1].Value);
            }
        }
        return versions.Where(DpkgAccepts).ToList();
    }

    [GeneratedRegex(@"^(?:Version|Config-Version):\s*(\S+)\s*$")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"\((?:<<|<=|=|>=|>>|<|>)?\s*([^()\s]+)\s*\)")]
    private static partial Regex Relation();

    /// <summary>Whether dpkg parses the version without a hard error (warnings are fine).</summary>
    internal static bool DpkgAccepts(string v)
    {
        if (v.Length == 0 || v.Any(c => c is ' ' or '\t' or '\n' or '\r' or '\0')) return false;
        var rest = v;
        var colon = v.IndexOf(':');
        if (colon >= 0)
        {
            var epoch = v[..colon];
            if (epoch.Length == 0 || !epoch.All(char.IsAsciiDigit) || !int.TryParse(epoch, out _)) return false;
            rest = v[(colon + 1)..];
            if (rest.Length == 0) return false;
        }
        var hyphen = rest.LastIndexOf('-');
        if (hyphen == rest.Length - 1) return false;
        return (hyphen < 0 ? rest : rest[..hyphen]).Length > 0;
    }
}
