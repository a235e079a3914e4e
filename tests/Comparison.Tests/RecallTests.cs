namespace ImageScanning.Comparison.Tests;

/// <summary>
/// Package recall against Trivy: Trivy (offline, CycloneDX) and our engine inventory the same root
/// filesystem; every package Trivy finds must be found by us too, unless <see cref="KnownDifferences"/>
/// says why not. The counts per input are printed to the test output.
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
        var comparison = await CompareAsync(input.ToString(), root);
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
        var comparison = await CompareAsync("debian-12-with-languages", root);
        // The debootstrap minbase alone holds about 90 dpkg packages: a comparison over fewer would prove little.
        Assert.That(comparison.Common.Count(k => k.Type == "deb"), Is.GreaterThan(80));
    }

    private static async Task<InventoryComparison> CompareAsync(string input, string root)
    {
        var ours = (await EngineInventory.InventoryAsync(root)).Select(PackageKey.Of).ToHashSet();
        var trivy = (await TrivyTool.InventoryAsync(root)).Select(PackageKey.Of).ToHashSet();
        var comparison = new InventoryComparison(input, ours, trivy);
        comparison.Print(TestContext.Out);

        var accepted = KnownDifferences.All.Where(d => d.Input == input).ToList();
        var unexplained = comparison.OnlyTrivy.Where(k => !accepted.Any(d => d.Covers(input, k))).Select(k => k.ToString()).ToList();
        var stale = accepted.Where(d => !comparison.OnlyTrivy.Any(k => d.Covers(input, k))).Select(d => $"{d.Type}:{d.Name}@{d.Version}").ToList();
        Assert.Multiple(() =>
        {
            // Each input is a real package database or manifest: finding nothing means the input or our reader is broken.
            Assert.That(ours, Is.Not.Empty, $"{input}: our engine found no packages");
            Assert.That(unexplained, Is.Empty, $"{input}: packages Trivy finds and we miss");
            Assert.That(stale, Is.Empty, $"{input}: allow-list entries that match no difference any more");
        });
        return comparison;
    }
}
