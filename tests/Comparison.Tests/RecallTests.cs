namespace ImageScanning.Comparison.Tests;

/// <summary>
/// Package recall against Trivy, both ways: Trivy (offline, CycloneDX) and our engine inventory the same root
/// filesystem; every package Trivy finds must be found by us too, and every package we find Trivy must find too,
/// unless <see cref="KnownDifferences"/> (or the input's <see cref="CorpusRoot.TrivyFindsNothingBecause"/>) says why not.
/// The counts per input are printed to the test output.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RecallTests
{
    private string _work = "";

    [OneTimeSetUp]
    public async Task InstallTrivy() => await TrivyTool.GetOrInstallAsync();

    [SetUp]
    public void CreateWorkDirectory() => _work = Directory.CreateTempSubdirectory("imagescanning-recall-").FullName;

    [TearDown]
    public async Task RemoveWorkDirectory() =>
        // rm -rf copes with the read-only and special files of a debootstrap copy.
        await TestSupport.ProcessRunner.RunAsync("rm", ["-rf", "--", _work]);

    [TestCaseSource(typeof(ComparisonRoots), nameof(ComparisonRoots.CorpusCases))]
    public async Task We_find_every_package_Trivy_finds_in_a_corpus_root(CorpusRoot input)
    {
        var root = await ComparisonRoots.LayOutAsync(input, Path.Combine(_work, "rootfs"));
        var comparison = await CompareAsync(input.ToString(), root, input.TrivyFindsNothingBecause);
        // Without this, an input Trivy silently cannot read would pass with nothing compared.
        if (input.TrivyFindsNothingBecause is { } reason)
            Assert.That(comparison.Trivy, Is.Empty, $"{input}: Trivy now finds packages; '{reason}' no longer holds, drop it");
        else
            Assert.That(comparison.Trivy, Is.Not.Empty, $"{input}: Trivy found nothing, so nothing was compared");
    }

    [Test]
    public async Task We_find_every_package_Trivy_finds_in_Debian_12_with_language_packages()
    {
        var root = await ComparisonRoots.DebianWithLanguagesAsync(Path.Combine(_work, "rootfs"));
        var comparison = await CompareAsync("debian-12-with-languages", root, trivyFindsNothingBecause: null);
        // The debootstrap minbase alone holds about 90 dpkg packages: a comparison over fewer would prove little.
        Assert.That(comparison.Common.Count(k => k.Type == "deb"), Is.GreaterThan(80));
    }

    /// <param name="trivyFindsNothingBecause">Why Trivy reads nothing of this input: then it accounts for every package only we find.</param>
    private static async Task<InventoryComparison> CompareAsync(string input, string root, string? trivyFindsNothingBecause)
    {
        var ours = (await EngineInventory.InventoryAsync(root)).Select(PackageKey.Of).ToHashSet();
        var trivy = (await TrivyTool.InventoryAsync(root)).Select(PackageKey.Of).ToHashSet();
        var comparison = new InventoryComparison(input, ours, trivy);
        comparison.Print(TestContext.Out);

        var (missed, staleMisses) = Unexplained(input, comparison.OnlyTrivy, KnownDifferences.OnlyTrivy);
        // Where Trivy reads nothing of the input, its named reason (checked by the caller to still hold) explains all we find.
        var (extra, staleExtras) = trivyFindsNothingBecause is null ? Unexplained(input, comparison.OnlyOurs, KnownDifferences.OnlyOurs) : ([], []);
        foreach (var difference in KnownDifferences.OnlyOurs.Where(d => d.Input == input && comparison.OnlyOurs.Any(k => d.Covers(input, k))))
            TestContext.Out.WriteLine($"  only ours, because {difference.Reason}: {difference}");
        Assert.Multiple(() =>
        {
            // Each input is a real package database or manifest: finding nothing means the input or our reader is broken.
            Assert.That(ours, Is.Not.Empty, $"{input}: our engine found no packages");
            Assert.That(missed, Is.Empty, $"{input}: packages Trivy finds and we miss");
            Assert.That(staleMisses, Is.Empty, $"{input}: OnlyTrivy entries that match no difference any more");
            Assert.That(extra, Is.Empty, $"{input}: packages we find and Trivy does not, with no reason in KnownDifferences.OnlyOurs");
            Assert.That(staleExtras, Is.Empty, $"{input}: OnlyOurs entries that match no difference any more");
            if (trivyFindsNothingBecause is not null)
                Assert.That(KnownDifferences.OnlyOurs.Where(d => d.Input == input), Is.Empty, $"{input}: '{trivyFindsNothingBecause}' already explains every package only we find");
        });
        return comparison;
    }

    /// <summary>The differences no entry of <paramref name="accepted"/> explains, and the entries of this input that match no difference.</summary>
    private static (List<string> Unexplained, List<string> Stale) Unexplained(
        string input, IReadOnlyList<PackageKey> differences, IReadOnlyList<KnownDifference> accepted)
    {
        var ofInput = accepted.Where(d => d.Input == input).ToList();
        var unexplained = differences.Where(k => !ofInput.Any(d => d.Covers(input, k))).Select(k => k.ToString()).ToList();
        var stale = ofInput.Where(d => !differences.Any(k => d.Covers(input, k))).Select(d => d.ToString()).ToList();
        return (unexplained, stale);
    }
}
