using ImageScanning.ScanEngine.Ecosystems.DotNet;
using ImageScanning.ScanEngine.Tests.Versions;
using ImageScanning.ScanEngine.Versions;
using NuGetComparer = NuGet.Versioning.VersionComparer;
using NuGetVersion = NuGet.Versioning.NuGetVersion;

namespace ImageScanning.ScanEngine.Tests.DotNet;

/// <summary>
/// The NuGet comparer against NuGet.Versioning, NuGet's own implementation (what nuget.org and the NuGet client order
/// packages with), with <c>VersionComparer.Default</c>: release numbers (up to four), then release labels
/// case-insensitively, build metadata ignored. That is also OSV's "NuGet" ecosystem (osv.dev: SemVer 2.0 with an
/// optional fourth number and case-insensitive prerelease; osv-scanner the same), except for the labels in
/// <see cref="Where_NuGet_reads_a_label_as_a_number_unlike_SemVer_the_comparer_follows_OSV"/>.
/// </summary>
[TestFixture]
public sealed class NuGetVersionOracleTests
{
    private static readonly SemVerComparer Comparer = SemVerComparer.NuGet;

    private static int NuGetCompare(string a, string b) =>
        Math.Sign(NuGetComparer.Default.Compare(NuGetVersion.Parse(a), NuGetVersion.Parse(b)));

    [Test]
    public void The_dotnet_ecosystem_orders_with_the_NuGet_comparer() =>
        Assert.That(new DotNetEcosystem().VersionComparer, Is.SameAs(Comparer));

    /// <summary>
    /// Three-way agreement on 12,000 generated pairs and 2,000 pairs of the real NuGet versions in the corpus's
    /// advisories; every version must be one NuGet accepts, and all three outcomes must be well represented.
    /// </summary>
    [Test]
    public void Agrees_with_NuGet_Versioning_on_generated_pairs()
    {
        var generator = new NuGetVersionGenerator(seed: 20261203);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var real = OsvCorpusVersions.Of("NuGet");
        Assert.That(real, Has.Count.GreaterThan(100), "the corpus's NuGet records should give a hundred versions or more");
        pairs.AddRange(OsvCorpusVersions.Pairs(real, 2_000, seed: 7));

        var rejected = pairs.SelectMany(p => new[] { p.A, p.B }).Where(v => !NuGetVersion.TryParse(v, out _)).Distinct().Take(10).ToList();
        Assert.That(rejected, Is.Empty, "the generator or the corpus produced versions NuGet.Versioning rejects");

        int lt = 0, eq = 0, gt = 0;
        var disagreements = new List<string>();
        foreach (var (a, b) in pairs)
        {
            var expected = NuGetCompare(a, b);
            _ = expected switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var ours = Math.Sign(Comparer.Compare(a, b));
            if (ours != expected) disagreements.Add($"'{a}' vs '{b}': NuGet.Versioning {expected}, ours {ours}");
        }
        TestContext.Out.WriteLine(
            $"Compared {pairs.Count} pairs ({real.Count} real versions) with NuGet.Versioning {typeof(NuGetVersion).Assembly.GetName().Version}: " +
            $"{lt} lt, {eq} eq, {gt} gt; {disagreements.Count} disagreements.");
        Assert.Multiple(() =>
        {
            Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(1_000), "the pairs must exercise all three outcomes");
            Assert.That(disagreements, Is.Empty, string.Join("\n", disagreements.Take(30)));
        });
    }

    /// <summary>
    /// NuGet.Versioning reads a label as a number when <c>int.TryParse</c> does: "-1" is minus one (below "0") and
    /// "10000000000" (past int.MaxValue) is text, compared character by character. SemVer 2.0 says a numeric
    /// identifier is digits only, of any size, and so do both OSV implementations of "NuGet" (osv.dev's, on a SemVer
    /// library; osv-scanner's, on big integers): "-1" is alphanumeric, above every number, and 9999999999 &lt;
    /// 10000000000. Advisories are evaluated the way OSV evaluates them, so the comparer follows OSV here; this test
    /// holds both readings, so it fails if either side changes.
    /// </summary>
    [TestCase("1.0.0--1", "1.0.0-0", -1, 1)]
    [TestCase("1.0.0-beta.-5", "1.0.0-beta.3", -1, 1)]
    [TestCase("1.0.0-9999999999", "1.0.0-10000000000", 1, -1)]
    [TestCase("1.0.0-ci.30000000000", "1.0.0-ci.100000000000", 1, -1)]
    public void Where_NuGet_reads_a_label_as_a_number_unlike_SemVer_the_comparer_follows_OSV(string a, string b, int nuget, int osv)
    {
        Assert.Multiple(() =>
        {
            Assert.That(NuGetCompare(a, b), Is.EqualTo(nuget), "NuGet.Versioning's reading");
            Assert.That(Math.Sign(Comparer.Compare(a, b)), Is.EqualTo(osv), "ours (OSV's reading)");
            Assert.That(Math.Sign(Comparer.Compare(b, a)), Is.EqualTo(-osv));
        });
    }
}
