using BenchmarkDotNet.Attributes;
using ImageScanning.Comparison.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks;

/// <summary>
/// Whole-image inventory of the same root filesystem: Trivy's offline CycloneDX SBOM (a child process,
/// as users run it) against our directory reader and every finder, in-process.
/// </summary>
public class InventoryBenchmarks
{
    private BenchmarkInputs _inputs = null!;
    private string _trivy = "";
    private string _emptyRoot = "";

    [GlobalSetup]
    public void Setup()
    {
        _inputs = BenchmarkInputs.CreateRootfs();
        _trivy = TrivyTool.GetOrInstallAsync().GetAwaiter().GetResult();
        _emptyRoot = Directory.CreateDirectory(Path.Combine(_inputs.Work, "empty")).FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => _inputs.Dispose();

    [Benchmark(Baseline = true, Description = "Trivy rootfs --format cyclonedx (process)")]
    public int Trivy() => RunTrivy(_inputs.Rootfs);

    /// <summary>Trivy's fixed cost (process start, cache and Java DB open, SBOM writing), to read its figure above against.</summary>
    [Benchmark(Description = "Trivy on an empty root (process floor)")]
    public int TrivyOnEmptyRoot() => RunTrivy(_emptyRoot);

    private int RunTrivy(string root)
    {
        var output = Path.Combine(_inputs.Work, $"sbom-{Guid.NewGuid():N}.json");
        ProcessRunner.Run(_trivy, TrivyTool.RootfsSbomArguments(root, output), TimeSpan.FromMinutes(5));
        var length = (int)new FileInfo(output).Length;
        File.Delete(output);
        return length;
    }

    [Benchmark(Description = "Ours: read dir + all finders (in-process)")]
    public int Ours() => EngineInventory.InventoryAsync(_inputs.Rootfs).GetAwaiter().GetResult().Count;
}
