using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.ScanEngine.Tests.Advisories;

namespace ImageScanning.ScanEngine.Tests.Java;

[TestFixture]
public sealed class MavenVersionComparerTests
{
    private static readonly MavenVersionComparer Comparer = MavenVersionComparer.Instance;

    [Test]
    public void Scheme_is_maven() => Assert.That(Comparer.Scheme, Is.EqualTo("maven"));

    // Cases from Maven's ComparableVersionTest and its documented ordering.
    [TestCase("1", "1.0.0", 0)]
    [TestCase("1-ga", "1", 0)]
    [TestCase("1.0-final", "1", 0)]
    [TestCase("1-release", "1", 0)]
    [TestCase("1.0-cr1", "1.0-rc1", 0)]
    [TestCase("1-a1", "1-alpha-1", 0)]
    [TestCase("1-b1", "1-beta-1", 0)]
    [TestCase("1-m1", "1-milestone-1", 0)]
    [TestCase("1.0-alpha1", "1.0-beta1", -1)]
    [TestCase("1.0-beta1", "1.0-milestone1", -1)]
    [TestCase("1.0-milestone1", "1.0-rc1", -1)]
    [TestCase("1.0-rc1", "1.0-SNAPSHOT", -1)]
    [TestCase("1.0-SNAPSHOT", "1.0", -1)]
    [TestCase("1.0", "1.0-sp", -1)]
    [TestCase("1.0-sp", "1.0-foo", -1)]
    [TestCase("1.0-foo", "1.0-1", -1)]
    [TestCase("1-1", "1.1", -1)]
    [TestCase("1.0-1", "1.0.1", -1)]
    [TestCase("2.14.1", "2.15.0", -1)]
    [TestCase("2.15.0", "2.17.1", -1)]
    [TestCase("2.0.0-rc1", "2.0.0", -1)]
    [TestCase("2.0.0-beta9", "2.0.0-rc1", -1)]
    [TestCase("29.0-jre", "29.0-android", 1)]
    [TestCase("30.0-jre", "29.0-jre", 1)]
    [TestCase("1.2.3.RELEASE", "1.2.3", 0)]
    [TestCase("5.3.18", "5.3.9", 1)]
    [TestCase("1.0.0.Final", "1.0.0.CR2", 1)]
    [TestCase("9999.0-empty-to-avoid-conflict-with-guava", "1.0", 1)]
    [TestCase("12345678901234567890", "123456789", 1)]
    [TestCase("1.001", "1.1", 0)]
    public void Known_orderings(string a, string b, int expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare(a, b), Is.EqualTo(expected), $"{a} vs {b}");
            Assert.That(Comparer.Compare(b, a), Is.EqualTo(-expected), $"{b} vs {a}");
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

    [Test]
    public void Odd_strings_never_throw_and_stay_antisymmetric()
    {
        var random = new Random(11);
        const string alphabet = "0123456789.-_+ aAbBmMrcCsSpP\t\0é٣";
        string Next()
        {
            var chars = new char[random.Next(0, 14)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            return new string(chars);
        }
        for (var n = 0; n < 20_000; n++)
        {
            var a = Next();
            var b = Next();
            var ab = Comparer.Compare(a, b);
            var ba = Comparer.Compare(b, a);
            if (ab != -ba) Assert.Fail($"not antisymmetric: '{a}' vs '{b}': {ab} and {ba}");
            if (Comparer.Compare(a, a) != 0) Assert.Fail($"'{a}' is not equal to itself");
        }
    }

    /// <summary>
    /// Exact three-way agreement with Maven's own ComparableVersion on at least 10,000 generated pairs, plus random
    /// pairs of the real versions in the corpus's Maven advisories and pairs of odd strings (Unicode digits, blanks, NUL).
    /// </summary>
    [Test]
    [CancelAfter(180_000)]
    public void Agrees_with_maven_ComparableVersion_on_generated_pairs()
    {
        if (!MavenOracle.Available)
            Assert.Fail("maven-artifact or java is missing (tests/run.sh installs maven and default-jdk-headless): no oracle to compare with.");

        var generator = new MavenVersionGenerator(seed: 20240612);
        var pairs = new List<(string A, string B)>();
        for (var n = 0; n < 12_000; n++) pairs.Add(generator.NextPair());
        var real = CorpusMavenVersions();
        var random = new Random(3);
        for (var n = 0; n < 2_000; n++) pairs.Add((real[random.Next(real.Count)], real[random.Next(real.Count)]));
        const string odd = "0123456789.-_+ aAbBmMrcCsSpP\t\0é٣";
        string Odd() => new(Enumerable.Range(0, random.Next(0, 12)).Select(_ => odd[random.Next(odd.Length)]).ToArray());
        for (var n = 0; n < 2_000; n++) pairs.Add((Odd(), Odd()));

        var expected = MavenOracle.Compare(pairs);

        var mismatches = new List<string>();
        int lt = 0, eq = 0, gt = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            _ = expected[i] switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var got = Comparer.Compare(a, b);
            if (got != expected[i]) mismatches.Add($"'{a}' vs '{b}': maven {expected[i]}, ours {got}");
        }
        TestContext.Out.WriteLine($"Compared {pairs.Count} pairs ({real.Count} real versions) with {MavenOracle.ArtifactJar}: {lt} lt, {eq} eq, {gt} gt; {mismatches.Count} disagreements.");
        Assert.Multiple(() =>
        {
            Assert.That(pairs, Has.Count.GreaterThanOrEqualTo(10_000));
            // The generator must exercise all three outcomes, or the agreement says little.
            Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(500));
            Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(30)));
        });
    }

    /// <summary>Every introduced/fixed/last_affected/listed version of the Maven records in the OSV corpus.</summary>
    private static List<string> CorpusMavenVersions()
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in OsvCorpus.AllFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("affected", out var affected)) continue;
            foreach (var entry in affected.EnumerateArray())
            {
                if (!entry.TryGetProperty("package", out var package) || package.GetProperty("ecosystem").GetString() != "Maven") continue;
                if (entry.TryGetProperty("versions", out var listed))
                    foreach (var v in listed.EnumerateArray()) versions.Add(v.GetString()!);
                if (!entry.TryGetProperty("ranges", out var ranges)) continue;
                foreach (var range in ranges.EnumerateArray())
                    foreach (var evt in range.GetProperty("events").EnumerateArray())
                        foreach (var field in evt.EnumerateObject())
                            if (field.Value.ValueKind == JsonValueKind.String) versions.Add(field.Value.GetString()!);
            }
        }
        Assert.That(versions, Has.Count.GreaterThan(200), "the corpus's Maven records should give a few hundred versions");
        return [.. versions];
    }
}
