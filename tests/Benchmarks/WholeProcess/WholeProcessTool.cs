using System.Diagnostics;
using ImageScanning.Benchmarks.FanOutLoad;
using ImageScanning.Comparison.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>
/// `--whole-process`: <c>imagescan scan</c> against <c>trivy image --input</c>, each as a new process on the same docker-archive
/// tarball, each matching against the same OSV advisories offline, run alternately N times; wall-clock percentiles, peak RSS
/// and the ratio of the two, measured in the same run. A console mode, not BenchmarkDotNet: what is measured is a process.
/// </summary>
public static class WholeProcessTool
{
    public const string Switch = "--whole-process";

    /// <summary>The corpus advisories both tools get: every OSV record the image's ecosystems have, and the whole go-vulndb feed.</summary>
    private static readonly string[][] AdvisorySets =
    [
        ["osv", "ghsa"], ["osv", "ghsa-osvdev"], ["osv", "osvdev-served"], ["osv", "debian"], ["osv", "alpine"], ["osv", "ubuntu"],
        ["feeds", "go-vulndb-osv.zip"],
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Array.IndexOf(args, "--runs") is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : 10;
        if (runs < 1) throw new ArgumentException("--runs must be at least 1.");
        var keep = args.Contains("--keep");
        var work = Directory.CreateTempSubdirectory("imagescanning-whole-process-").FullName;
        try
        {
            await RunAsync(runs, work);
            return 0;
        }
        finally
        {
            // --keep leaves the image, both reports and the Trivy database for a look afterwards.
            if (keep) Console.WriteLine($"Kept {work}"); else Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(int runs, string work)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}");
        var advisories = AdvisorySets.Select(Corpus.PathOf).ToList();

        // Set-up, not measured: the imagescan build, the image, Trivy and its database.
        var imagescanDirectory = Path.Combine(work, "imagescan");
        await ProcessRunner.RunAsync("dotnet", ["publish", Path.Combine(Corpus.RepositoryRoot, "services", "ImageScanCli"), "-c", "Release", "-o", imagescanDirectory, "--nologo"],
            TimeSpan.FromMinutes(10));
        var imagescan = Path.Combine(imagescanDirectory, "imagescan");
        Say($"imagescan published (Release, framework-dependent) to {imagescanDirectory}");

        var archive = await BuildImageAsync(work);
        Say($"Image: {archive} ({new FileInfo(archive).Length:N0} bytes), the Debian 12 root with the corpus language packages, one layer");

        var trivy = await TrivyTool.GetOrInstallAsync();
        var trivyCache = Path.Combine(work, "trivy-cache");
        await EmptyJavaDb.CreateAsync(Path.Combine(trivyCache, "java-db"));
        var db = await TrivyVulnDb.BuildAsync(advisories, trivyCache, work);
        Say($"Trivy database built from the same OSV files: {db.Advisories:N0} advisories, {db.Rows:N0} rows, in {db.Elapsed.TotalSeconds:F1} s");

        var imagescanReport = Path.Combine(work, "imagescan.json");
        var trivyReport = Path.Combine(work, "trivy.json");
        List<string> imagescanArgs = ["scan", "docker-archive:" + archive, "--format", "json", "--output", imagescanReport];
        foreach (var path in advisories) imagescanArgs.AddRange(["--advisories", path]);
        List<string> trivyArgs =
        [
            "image", "--input", archive, "--cache-dir", trivyCache, "--skip-db-update", "--skip-java-db-update", "--offline-scan",
            "--scanners", "vuln", "--list-all-pkgs", "--format", "json", "--output", trivyReport, "--quiet",
        ];
        async Task<ProcessSample> Imagescan() => await TimedProcess.RunAsync("imagescan", imagescan, imagescanArgs, work);
        async Task<ProcessSample> Trivy()
        {
            // Trivy caches each layer's analysis by digest in fanal/; a second run would skip the layer. Cold means without it.
            var fanal = Path.Combine(trivyCache, "fanal");
            if (Directory.Exists(fanal)) Directory.Delete(fanal, recursive: true);
            return await TimedProcess.RunAsync("trivy", trivy, trivyArgs, work);
        }

        // One discarded run each, so that both find the tarball, their binaries and databases in the page cache alike.
        await Imagescan();
        await Trivy();
        var ours = ScanOutput.FromImagescan(imagescanReport);
        var theirs = ScanOutput.FromTrivy(trivyReport);
        Say($"imagescan: {ours.Packages} packages, {ours.Findings.Count} (vulnerability, package) findings; " +
            $"trivy: {theirs.Packages} packages, {theirs.Findings.Count} findings; both: {ours.Findings.Intersect(theirs.Findings).Count()}");
        Say($"only imagescan: {string.Join(", ", ours.Findings.Except(theirs.Findings).Order())}");
        Say($"only trivy: {string.Join(", ", theirs.Findings.Except(ours.Findings).Order())}");

        var samples = new List<(ProcessSample Ours, ProcessSample Theirs)>();
        for (var run = 0; run < runs; run++)
        {
            // Alternate which goes first, so a slow patch of the shared machine does not always fall on the same tool.
            ProcessSample a, b;
            if (run % 2 == 0) { a = await Imagescan(); b = await Trivy(); }
            else { b = await Trivy(); a = await Imagescan(); }
            samples.Add((a, b));
            Say($"run {run + 1}: imagescan {a.WallMilliseconds:F0} ms {a.PeakRssKilobytes / 1024} MiB, trivy {b.WallMilliseconds:F0} ms {b.PeakRssKilobytes / 1024} MiB");
        }

        Console.WriteLine();
        Console.WriteLine($"Whole process, same docker-archive, {runs} runs each, alternating:");
        Console.WriteLine("| | p50 | p90 | max | peak RSS p50 | peak RSS max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in new[] { ("imagescan scan", samples.Select(s => s.Ours).ToList()), ("trivy image --input", samples.Select(s => s.Theirs).ToList()) })
        {
            var wall = list.Select(s => s.WallMilliseconds).ToList();
            var rss = list.Select(s => s.PeakRssKilobytes / 1024.0).ToList();
            Console.WriteLine($"| {name} | {P(wall, 50):N0} ms | {P(wall, 90):N0} ms | {wall.Max():N0} ms | {P(rss, 50):N0} MiB | {rss.Max():N0} MiB |");
        }
        var pairRatios = samples.Select(s => s.Ours.WallMilliseconds / s.Theirs.WallMilliseconds).ToList();
        var oursWall = samples.Select(s => s.Ours.WallMilliseconds).ToList();
        var theirsWall = samples.Select(s => s.Theirs.WallMilliseconds).ToList();
        Console.WriteLine($"imagescan / trivy: p50 {P(oursWall, 50) / P(theirsWall, 50):F2}, p90 {P(oursWall, 90) / P(theirsWall, 90):F2}; " +
            $"per pair (same iteration): median {P(pairRatios, 50):F2}, min {pairRatios.Min():F2}, max {pairRatios.Max():F2}");
        Console.WriteLine($"peak RSS imagescan / trivy (p50): {P(samples.Select(s => (double)s.Ours.PeakRssKilobytes).ToList(), 50) / P(samples.Select(s => (double)s.Theirs.PeakRssKilobytes).ToList(), 50):F2}");
    }

    private static double P(IReadOnlyList<double> samples, double percent) => PushStream.Percentile(samples, percent);

    /// <summary>The root the recall test compares, as a one-layer OCI image (umoci), saved as a docker-archive (skopeo).</summary>
    private static async Task<string> BuildImageAsync(string work)
    {
        var root = await ComparisonRoots.DebianWithLanguagesAsync(Path.Combine(work, "root"));
        var image = await new TestImageBuilder().LayerFromDirectory(root).BuildAsync("bench", Path.Combine(work, "image"));
        Directory.Delete(root, recursive: true);
        var archive = Path.Combine(work, "image.tar");
        await ProcessRunner.RunAsync("skopeo", ["copy", "--quiet", image.Reference, $"docker-archive:{archive}:bench/debian-languages:latest"], TimeSpan.FromMinutes(10));
        Directory.Delete(image.LayoutDirectory, recursive: true);
        return archive;
    }
}
