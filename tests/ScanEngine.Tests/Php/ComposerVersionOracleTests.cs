using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.ScanEngine.Tests.Versions;

namespace ImageScanning.ScanEngine.Tests.Php;

/// <summary>
/// The Composer comparer against composer/semver itself (<see cref="ComposerSemverOracle"/>), on generated pairs and
/// on pairs of the Packagist versions in the corpus's advisories: the normalised form of every version, and the order
/// of every pair Composer orders.
/// </summary>
[TestFixture]
public sealed class ComposerVersionOracleTests
{
    private static readonly ComposerVersionComparer Comparer = ComposerVersionComparer.Instance;

    [Test]
    [CancelAfter(300_000)]
    public async Task Agrees_with_composer_semver_on_generated_pairs()
    {
        if (ComposerSemverOracle.Missing() is { } why) Assert.Fail($"No Composer oracle: {why}.");
        var generator = new ComposerVersionGenerator(seed: 20261203);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var real = OsvCorpusVersions.Of("Packagist");
        Assert.That(real, Has.Count.GreaterThan(500), "the corpus's Packagist records should give several hundred versions");
        pairs.AddRange(OsvCorpusVersions.Pairs(real, 2_000, seed: 3));

        var answers = await ComposerSemverOracle.CompareAsync(pairs);

        var normalizeWrong = new SortedSet<string>(StringComparer.Ordinal);
        int lt = 0, eq = 0, gt = 0, unordered = 0, laterForms = 0;
        var disagreements = new List<string>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            var answer = answers[i];
            if (OnlyLaterReleasesRead(a, answer.NormalizedA) || OnlyLaterReleasesRead(b, answer.NormalizedB))
            {
                laterForms++;
                continue;
            }
            foreach (var (version, composer) in new[] { (a, answer.NormalizedA), (b, answer.NormalizedB) })
                if (ComposerVersionComparer.Normalize(version) is var ours && ours != composer)
                    normalizeWrong.Add($"normalize('{version}'): composer '{composer ?? "(rejects)"}', ours '{ours ?? "(rejects)"}'");

            var sign = Math.Sign(Comparer.Compare(a, b));
            if (answer.Order is not { } expected)
            {
                // Composer relates a branch or a rejected string to nothing; the comparer's total order puts them first.
                unordered++;
                var fallback = Fallback(a, answer.NormalizedA, b, answer.NormalizedB);
                if (sign != fallback) disagreements.Add($"'{a}' vs '{b}' (unordered in Composer): expected the fallback {fallback}, ours {sign}");
                continue;
            }
            _ = expected switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            if (sign != expected) disagreements.Add($"'{a}' vs '{b}' (normalised '{answer.NormalizedA}' vs '{answer.NormalizedB}'): composer {expected}, ours {sign}");
        }
        TestContext.Out.WriteLine(
            $"Compared {pairs.Count} pairs ({real.Count} real versions) with {ComposerSemverOracle.PackagedVersion}: {lt} lt, {eq} eq, {gt} gt, " +
            $"{unordered} unordered (branches, rejected strings), {laterForms} left out (date forms only later releases read); " +
            $"{disagreements.Count} disagreements, {normalizeWrong.Count} normalisations differ.");
        Assert.Multiple(() =>
        {
            Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(1_000), "the pairs must exercise all three outcomes");
            Assert.That(unordered, Is.GreaterThan(100), "branches and rejected strings are exercised too");
            Assert.That(laterForms, Is.LessThan(pairs.Count / 50), "the pairs left out stay few");
            Assert.That(normalizeWrong, Is.Empty, string.Join("\n", normalizeWrong.Take(30)));
            Assert.That(disagreements, Is.Empty, string.Join("\n", disagreements.Take(30)));
        });
    }

    /// <summary>
    /// composer/semver 3.3.2 (Debian 12's php-composer-semver) reads a date version with at most one short number
    /// after the date ("2010.01.02.5"); later releases read two ("20230131.0.0", "2010-01-02-10-20-30.0.3"), and
    /// their own test cases (composer-semver-cases.tsv) say so. Composer installs carry the newer library, so the
    /// comparer reads them; the oracle cannot judge such versions and they are left out of its comparison.
    /// This test fails once the packaged library reads them too: then the exception can go.
    /// </summary>
    [TestCase("20230131.0.0", "20230131.0.0")]
    [TestCase("2010-01-02-10-20-30.0.3", "2010.01.02.10.20.30.0.3")]
    [TestCase("20230131.1.2", "20230131.1.2")]
    public async Task Date_forms_only_later_composer_semver_releases_read(string version, string upstream)
    {
        if (ComposerSemverOracle.Missing() is { } why) Assert.Fail($"No Composer oracle: {why}.");
        var answer = (await ComposerSemverOracle.CompareAsync([(version, "1.0.0")]))[0];
        Assert.Multiple(() =>
        {
            Assert.That(answer.NormalizedA, Is.Null, $"{ComposerSemverOracle.PackagedVersion} now reads '{version}': drop the exception");
            Assert.That(ComposerVersionComparer.Normalize(version), Is.EqualTo(upstream));
            Assert.That(OnlyLaterReleasesRead(version, answer.NormalizedA), Is.True);
        });
    }

    private static readonly Regex LaterDateForm = new(@"^v?\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){2}(?![.:-]?\d)", RegexOptions.IgnoreCase);

    private static bool OnlyLaterReleasesRead(string version, string? composer) =>
        composer is null && ComposerVersionComparer.Normalize(version) is not null && LaterDateForm.IsMatch(version.Trim());

    /// <summary>
    /// The comparer's documented order where Composer has none: a branch ("dev-…") or a string Composer rejects sorts
    /// before every numeric version, and two of them compare ordinally, a branch by the name Composer normalises it
    /// to, a rejected string as written (trimmed).
    /// </summary>
    private static int Fallback(string a, string? normalizedA, string b, string? normalizedB)
    {
        static bool Numeric(string? n) => n is not null && !n.StartsWith("dev-", StringComparison.Ordinal);
        var (na, nb) = (Numeric(normalizedA), Numeric(normalizedB));
        if (na != nb) return na ? 1 : -1;
        return Math.Sign(string.CompareOrdinal(normalizedA ?? a.Trim(), normalizedB ?? b.Trim()));
    }
}
