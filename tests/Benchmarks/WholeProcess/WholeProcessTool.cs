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
        async Task<ProcessSample> Imagescan() => await TimedProcess.RunAsync(OursName, imagescan, imagescanArgs, work);
        async Task<ProcessSample> Trivy()
        {
            // Trivy caches each layer's analysis by digest in fanal/; a second run would skip the layer. Cold means without it.
            var fanal = Path.Combine(trivyCache, "fanal");
            if (Directory.Exists(fanal)) Directory.Delete(fanal, recursive: true);
            return await TimedProcess.RunAsync(TheirsName, trivy, trivyArgs, work);
        }

        // One discarded run each, so that both find the tarball, their binaries and databases in the page cache alike.
        await Imagescan();
        await Trivy();
        // Both must have done the same work: the packages each lists, and the findings both, one or the other reports.
        var ourReport = ScanOutput.FromImagescan(imagescanReport);
        var theirReport = ScanOutput.FromTrivy(trivyReport);
        Say($"imagescan: {ourReport.Packages} packages, {ourReport.Findings.Count} (vulnerability, package) findings; " +
            $"trivy: {theirReport.Packages} packages, {theirReport.Findings.Count} findings; both: {ourReport.Findings.Intersect(theirReport.Findings).Count()}");
        Say($"only imagescan: {string.Join(", ", ourReport.Findings.Except(theirReport.Findings).Order())}");
        Say($"only trivy: {string.Join(", ", theirReport.Findings.Except(ourReport.Findings).Order())}");
        if (ourReport.Findings.Count == 0 || theirReport.Findings.Count == 0)
            throw new InvalidOperationException("A tool reported no finding, so its matching did not run against the advisories: the comparison would not be like for like.");

        // A third line, to show what the advisory import costs imagescan: the same scan given only the 6 Debian OSV records.
        List<string> floorArgs = ["scan", "docker-archive:" + archive, "--format", "json", "--output", Path.Combine(work, "floor.json"),
            "--advisories", Corpus.PathOf("osv", "debian")];
        async Task<ProcessSample> ImagescanFloor() => await TimedProcess.RunAsync(FloorName, imagescan, floorArgs, work);
        await ImagescanFloor();

        var tools = new (string Name, Func<Task<ProcessSample>> Run)[] { (OursName, Imagescan), (TheirsName, Trivy), (FloorName, ImagescanFloor) };
        var samples = tools.ToDictionary(t => t.Name, _ => new List<ProcessSample>());
        for (var run = 0; run < runs; run++)
        {
            // Rotate which goes first, so a slow patch of the shared machine does not always fall on the same tool.
            for (var k = 0; k < tools.Length; k++)
            {
                var (name, measure) = tools[(run + k) % tools.Length];
                samples[name].Add(await measure());
            }
            Say($"run {run + 1}: " + string.Join(", ", tools.Select(t => samples[t.Name][^1])
                .Select(s => $"{s.Tool} {s.WallMilliseconds:F0} ms (CPU {s.CpuMilliseconds:F0} ms, {s.PeakRssKilobytes / 1024} MiB)")));
        }

        Console.WriteLine();
        Console.WriteLine($"Whole process, same docker-archive, {runs} runs each, order rotated every run:");
        Console.WriteLine("| | wall p50 | wall p90 | wall max | CPU p50 (user+sys) | peak RSS p50 | peak RSS max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in samples)
        {
            var wall = list.Select(s => s.WallMilliseconds).ToList();
            var rss = list.Select(s => s.PeakRssKilobytes / 1024.0).ToList();
            Console.WriteLine($"| {name} | {P(wall, 50):N0} ms | {P(wall, 90):N0} ms | {wall.Max():N0} ms | {P(list.Select(s => s.CpuMilliseconds).ToList(), 50):N0} ms " +
                $"| {P(rss, 50):N0} MiB | {rss.Max():N0} MiB |");
        }
        var ours = samples[OursName];
        var theirs = samples[TheirsName];
        double Of(List<ProcessSample> list, Func<ProcessSample, double> value, double percent) => P(list.Select(value).ToList(), percent);
        var pairRatios = ours.Zip(theirs, (a, b) => a.WallMilliseconds / b.WallMilliseconds).ToList();
        Console.WriteLine($"imagescan / trivy, wall: p50 {Of(ours, s => s.WallMilliseconds, 50) / Of(theirs, s => s.WallMilliseconds, 50):F2}, " +
            $"p90 {Of(ours, s => s.WallMilliseconds, 90) / Of(theirs, s => s.WallMilliseconds, 90):F2}; " +
            $"per pair (same iteration): median {P(pairRatios, 50):F2}, min {pairRatios.Min():F2}, max {pairRatios.Max():F2}");
        Console.WriteLine($"imagescan / trivy, CPU p50: {Of(ours, s => s.CpuMilliseconds, 50) / Of(theirs, s => s.CpuMilliseconds, 50):F2}; " +
            $"peak RSS p50: {Of(ours, s => s.PeakRssKilobytes, 50) / Of(theirs, s => s.PeakRssKilobytes, 50):F2}");
    }

    private const string OursName = "imagescan scan", TheirsName = "trivy image --input", FloorName = "imagescan scan, 6 advisories only";

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
