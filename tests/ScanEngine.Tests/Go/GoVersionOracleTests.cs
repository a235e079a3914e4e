using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Tests.Versions;
using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// The Go comparer, which decides every go-vulndb match, against golang.org/x/mod/semver (<see cref="GoSemverOracle"/>).
/// Go needs the "v"; go-vulndb's OSV records and the ecosystem's advisory keys leave it out ("fixed": "0.17.0"), so the
/// comparer is given each version with or without it, at random, and must answer as Go does on the "v" form.
/// </summary>
[TestFixture]
public sealed class GoVersionOracleTests
{
    private static readonly SemVerComparer Comparer = SemVerComparer.Go;

    [Test]
    public void The_go_ecosystem_orders_with_the_Go_comparer() =>
        Assert.That(new GoEcosystem().VersionComparer, Is.SameAs(Comparer));

    /// <summary>
    /// Three-way agreement on 12,000 generated pairs (releases, shorthands, prereleases, +incompatible, the three
    /// pseudo-version forms) and 500 pairs of the Go versions in the corpus's advisories, all in one Go process.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public async Task Agrees_with_golang_x_mod_semver_on_generated_pairs()
    {
        if (GoSemverOracle.Missing() is { } why) Assert.Fail($"No Go semver oracle: {why}.");
        var generator = new GoVersionGenerator(seed: 20261203);
        var pairs = Enumerable.Range(0, 12_000).Select(_ => generator.NextPair()).ToList();
        var real = OsvCorpusVersions.Of("Go");
        Assert.That(real, Has.Count.GreaterThan(10), "the corpus's Go records should give a dozen versions or more");
        pairs.AddRange(OsvCorpusVersions.Pairs(real, 500, seed: 5).Select(p => (WithV(p.A), WithV(p.B))));

        var expected = await GoSemverOracle.CompareAsync(pairs);

        var invalid = pairs.Where((_, i) => expected[i] is null).Take(5).ToList();
        Assert.That(invalid, Is.Empty, "the generator or the corpus produced versions Go rejects");
        var random = new Random(11);
        string AsGiven(string v) => random.Next(2) == 0 ? v[1..] : v; // with or without Go's "v"
        int lt = 0, eq = 0, gt = 0;
        var disagreements = new List<string>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = (AsGiven(pairs[i].A), AsGiven(pairs[i].B));
            _ = expected[i] switch { < 0 => lt++, 0 => eq++, _ => gt++ };
            var ours = Math.Sign(Comparer.Compare(a, b));
            if (ours != expected[i]) disagreements.Add($"'{a}' vs '{b}' (Go: '{pairs[i].A}' vs '{pairs[i].B}'): Go {expected[i]}, ours {ours}");
        }
        TestContext.Out.WriteLine(
            $"Compared {pairs.Count} pairs ({real.Count} real versions) with {GoSemverOracle.PackagedVersion}: {lt} lt, {eq} eq, {gt} gt; {disagreements.Count} disagreements.");
        Assert.Multiple(() =>
        {
            Assert.That(new[] { lt, eq, gt }, Has.All.GreaterThan(1_000), "the pairs must exercise all three outcomes");
            Assert.That(disagreements, Is.Empty, string.Join("\n", disagreements.Take(30)));
        });
    }

    private static string WithV(string version) => version.StartsWith('v') ? version : "v" + version;
}
