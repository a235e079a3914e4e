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

    [GlobalSetup]
    public void Setup()
    {
        _inputs = BenchmarkInputs.CreateRootfs();
        _trivy = TrivyTool.GetOrInstallAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _inputs.Dispose();

    [Benchmark(Baseline = true, Description = "Trivy rootfs --format cyclonedx (process)")]
    public int Trivy()
    {
        var output = Path.Combine(_inputs.Work, $"sbom-{Guid.NewGuid():N}.json");
        ProcessRunner.Run(_trivy, TrivyTool.RootfsSbomArguments(_inputs.Rootfs, output), TimeSpan.FromMinutes(5));
        var length = (int)new FileInfo(output).Length;
        File.Delete(output);
        return length;
    }

    [Benchmark(Description = "Ours: read dir + all finders (in-process)")]
    public int Ours() => EngineInventory.InventoryAsync(_inputs.Rootfs).GetAwaiter().GetResult().Count;
}
