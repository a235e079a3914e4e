using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ImageScanning.Benchmarks;

public static class Program
{
    /// <summary>
    /// One short job for every benchmark: 1 warm-up and 5 measured iterations, in-process (the benchmarks
    /// spend their time in I/O, decompression and child processes, so a separate host process adds nothing
    /// but a second build). The in-process limit is 30 minutes: the re-scan fan-out's set-up alone builds a
    /// 10,000-image catalog, several minutes on 2 shared cores.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains(FanOutLoad.FanOutLoadTool.Switch)) return FanOutLoad.FanOutLoadTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(DpkgMemory.DpkgMemoryTool.Switch)) return DpkgMemory.DpkgMemoryTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(AdvisoryScale.MatchProfileTool.Switch)) return AdvisoryScale.MatchProfileTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(ExploitScale.EpssScaleTool.Switch)) return ExploitScale.EpssScaleTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(AdvisoryScale.AdvisoryScaleTool.Switch)) return AdvisoryScale.AdvisoryScaleTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(WholeProcess.WholeProcessTool.Switch) && args.Contains(WholeProcess.WarmDbTool.Switch)) return WholeProcess.WarmDbTool.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains(WholeProcess.WholeProcessTool.Switch)) return WholeProcess.WholeProcessTool.RunAsync(args).GetAwaiter().GetResult();
        var job = Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true));
        // Reports go to the temp directory, not into the checkout (the run's figures live in docs/benchmarks.md).
        var config = DefaultConfig.Instance.AddJob(job.AsDefault())
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "imagescanning-benchmarks"));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
