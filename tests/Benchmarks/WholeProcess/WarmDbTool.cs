using System.Diagnostics;
using System.Text.Json;
using ImageScanning.Benchmarks.AdvisoryScale;
using ImageScanning.Benchmarks.FanOutLoad;
using ImageScanning.Comparison.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>
/// `--whole-process --warm-db`: <c>imagescan scan --cache-dir</c> with the 500,000-advisory database already in its cache,
/// against Trivy's SBOM run (<c>trivy image --input --format cyclonedx</c>: the package listing, no vulnerability database),
/// on the same three-layer docker-archive, alternately N rounds. Two more imagescan lines break its time down: start-up
/// alone (<c>imagescan --help</c>) and the same scan against a cache holding only 6 advisories (start-up, image read,
/// inventory; what the full database adds on top is the matching against it); a third is the same scan by the JIT build.
/// </summary>
public static class WarmDbTool
{
    public const string Switch = "--warm-db";
    private const int Records = 500_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Array.IndexOf(args, "--runs") is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : 10;
        if (runs < 1) throw new ArgumentException("--runs must be at least 1.");
        var keep = args.Contains("--keep");
        var work = Directory.CreateTempSubdirectory("imagescanning-warm-db-").FullName;
        try
        {
            await RunAsync(runs, work);
            return 0;
        }
        finally
        {
            if (keep) Console.WriteLine($"Kept {work}"); else Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(int runs, string work)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line} (load {LoadAverage()})");

        // Set-up, not measured: the imagescan build, the 500k database in a cache directory, the image, Trivy.
        // As a user installs it (publish -r: ReadyToRun, see ImageScanCli.csproj), and the plain framework-dependent JIT build.
        var project = Path.Combine(Corpus.RepositoryRoot, "services", "ImageScanCli");
        var imagescanDirectory = Path.Combine(work, "imagescan");
        await ProcessRunner.RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", imagescanDirectory, "--nologo"],
            TimeSpan.FromMinutes(10));
        var imagescan = Path.Combine(imagescanDirectory, "imagescan");
        var jitDirectory = Path.Combine(work, "imagescan-jit");
        await ProcessRunner.RunAsync("dotnet", ["publish", project, "-c", "Release", "-o", jitDirectory, "--nologo"], TimeSpan.FromMinutes(10));
        var imagescanJit = Path.Combine(jitDirectory, "imagescan");
        Say($"imagescan published (Release, -r linux-x64, ReadyToRun) to {imagescanDirectory}, and without -r (JIT) to {jitDirectory}");

        var cacheDir = Path.Combine(work, "cache");
        await PlaceFullDatabaseAsync(cacheDir, Say);

        var archive = await BuildImageAsync(work);
        Say($"Image: {archive} ({new FileInfo(archive).Length:N0} bytes), three layers: {string.Join(", ", LayerSizes(archive).Select(b => $"{b:N0}"))} bytes");

        var trivy = await TrivyTool.GetOrInstallAsync();
        var trivyCache = Path.Combine(work, "trivy-cache");
        await EmptyJavaDb.CreateAsync(Path.Combine(trivyCache, "java-db"));

        var ourReport = Path.Combine(work, "imagescan.json");
        var smallReport = Path.Combine(work, "imagescan-small.json");
        var trivyReport = Path.Combine(work, "trivy.cdx.json");
        List<string> ScanArgs(string cache, string report) => ["scan", "docker-archive:" + archive, "--cache-dir", cache, "--format", "json", "--output", report];
        var smallCache = Path.Combine(work, "small-cache");
        await ProcessRunner.RunAsync(imagescan, [.. ScanArgs(smallCache, smallReport), "--advisories", Corpus.PathOf("osv", "debian")], TimeSpan.FromMinutes(5),
            throwOnError: false);
        List<string> trivyArgs =
        [
            "image", "--input", archive, "--cache-dir", trivyCache, "--skip-db-update", "--skip-java-db-update", "--offline-scan",
            "--format", "cyclonedx", "--output", trivyReport, "--quiet",
        ];
        async Task<ProcessSample> Ours() => await TimedProcess.RunAsync(OursName, imagescan, ScanArgs(cacheDir, ourReport), work);
        async Task<ProcessSample> Theirs()
        {
            // Trivy caches each layer's analysis by digest in fanal/; a second run would skip the layers. Cold means without it.
            var fanal = Path.Combine(trivyCache, "fanal");
            if (Directory.Exists(fanal)) Directory.Delete(fanal, recursive: true);
            return await TimedProcess.RunAsync(TheirsName, trivy, trivyArgs, work);
        }
        async Task<ProcessSample> Small() => await TimedProcess.RunAsync(SmallName, imagescan, ScanArgs(smallCache, smallReport), work);
        async Task<ProcessSample> Jit() => await TimedProcess.RunAsync(JitName, imagescanJit, ScanArgs(cacheDir, ourReport), work);
        async Task<ProcessSample> StartUp() => await TimedProcess.RunAsync(StartUpName, imagescan, ["--help"], work);

        // One discarded run each (page cache), then the check that both did their work.
        await Ours();
        await Theirs();
        var ours = ScanOutput.FromImagescan(ourReport);
        var theirs = CycloneDxComponents(trivyReport);
        Say($"imagescan: {ours.Packages} packages, {ours.Findings.Count} (vulnerability, package) findings from the 500k database; trivy SBOM: {theirs} components");
        if (ours.Packages == 0 || ours.Findings.Count == 0 || theirs == 0)
            throw new InvalidOperationException("A tool listed no package, or imagescan found nothing in the full database: the comparison would not be like for like.");

        var tools = new (string Name, Func<Task<ProcessSample>> Run)[] { (OursName, Ours), (TheirsName, Theirs), (JitName, Jit), (SmallName, Small), (StartUpName, StartUp) };
        var samples = tools.ToDictionary(t => t.Name, _ => new List<ProcessSample>());
        var loads = new List<string>();
        for (var run = 0; run < runs; run++)
        {
            for (var k = 0; k < tools.Length; k++)
            {
                var (name, measure) = tools[(run + k) % tools.Length];
                samples[name].Add(await measure());
            }
            loads.Add(LoadAverage());
            var pair = samples[OursName][^1].WallMilliseconds / samples[TheirsName][^1].WallMilliseconds;
            Say($"run {run + 1}: " + string.Join(", ", tools.Select(t => samples[t.Name][^1])
                .Select(s => $"{s.Tool} {s.WallMilliseconds:F0} ms (CPU {s.CpuMilliseconds:F0} ms, {s.PeakRssKilobytes / 1024} MiB)")) + $"; pair ratio {pair:F3}");
        }

        Console.WriteLine();
        Console.WriteLine($"Whole process, warm 500,000-advisory cache, same three-layer docker-archive, {runs} rounds, order rotated; load averages after each round: {string.Join("; ", loads)}");
        Console.WriteLine("| | wall p50 | wall p90 | wall max | CPU p50 (user+sys) | peak RSS p50 | peak RSS max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in samples)
        {
            var wall = list.Select(s => s.WallMilliseconds).ToList();
            var rss = list.Select(s => s.PeakRssKilobytes / 1024.0).ToList();
            Console.WriteLine($"| {name} | {P(wall, 50):N0} ms | {P(wall, 90):N0} ms | {wall.Max():N0} ms | {P(list.Select(s => s.CpuMilliseconds).ToList(), 50):N0} ms " +
                $"| {P(rss, 50):N0} MiB | {rss.Max():N0} MiB |");
        }
        var a = samples[OursName];
        var b = samples[TheirsName];
        double Of(List<ProcessSample> list, Func<ProcessSample, double> value, double percent) => P(list.Select(value).ToList(), percent);
        var pairs = a.Zip(b, (x, y) => x.WallMilliseconds / y.WallMilliseconds).ToList();
        Console.WriteLine($"imagescan / trivy SBOM, wall: p50 {Of(a, s => s.WallMilliseconds, 50) / Of(b, s => s.WallMilliseconds, 50):F3}, " +
            $"p90 {Of(a, s => s.WallMilliseconds, 90) / Of(b, s => s.WallMilliseconds, 90):F3}; per pair: {string.Join(" ", pairs.Select(p => p.ToString("F3")))} " +
            $"(median {P(pairs, 50):F3}, min {pairs.Min():F3}, max {pairs.Max():F3})");
        Console.WriteLine($"imagescan / trivy SBOM, CPU p50: {Of(a, s => s.CpuMilliseconds, 50) / Of(b, s => s.CpuMilliseconds, 50):F3}; " +
            $"peak RSS p50: {Of(a, s => s.PeakRssKilobytes, 50) / Of(b, s => s.PeakRssKilobytes, 50):F3}");

        // In-process, the same scan's stages (this process is JIT, not ReadyToRun; the first scan includes compiling that code).
        Console.WriteLine();
        Console.WriteLine("In-process stages of the same scan against the cache's database, ms (scan 1 cold: JIT; then warm):");
        Console.WriteLine("| scan | open store | read docker-archive | inventory | match (500k) | packages | matches |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var stages = await ScanStages.MeasureAsync(archive, Path.Combine(cacheDir, "advisories.db"), 6);
        for (var n = 0; n < stages.Count; n++)
            Console.WriteLine($"| {n + 1} | {stages[n].OpenMs:F0} | {stages[n].ReadMs:F0} | {stages[n].InventoryMs:F0} | {stages[n].MatchMs:F0} | {stages[n].Packages} | {stages[n].Findings} |");
        Console.WriteLine($"(load {LoadAverage()})");
    }

    private const string OursName = "imagescan scan --cache-dir (500k)", TheirsName = "trivy image --input --format cyclonedx",
        JitName = "imagescan scan --cache-dir (500k), JIT build", SmallName = "imagescan scan --cache-dir (6 advisories)", StartUpName = "imagescan --help";

    private static double P(IReadOnlyList<double> samples, double percent) => PushStream.Percentile(samples, percent);

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>
    /// The advisory-scale database (built first when missing), copied into the cache as <c>advisories.db</c>: the CLI's cache is
    /// that SqliteAdvisoryStore schema plus the <c>imagescan_sources</c> table, which the CLI creates when it is missing.
    /// A copy, so the CLI's writes (that table, WAL files) never touch the shared file.
    /// </summary>
    private static async Task PlaceFullDatabaseAsync(string cacheDir, Action<string> say)
    {
        var source = ScaleDatabase.DefaultPath(Records);
        if (!File.Exists(source) || ScaleDatabase.Scalar(source, "SELECT COUNT(*) FROM advisories") != Records)
        {
            var seeds = await AdvisorySeeds.LoadAsync();
            var import = await ScaleDatabase.BuildAsync(source, new AdvisoryReplicator(seeds, Records), 5_000, say);
            say($"built {source}: {import.Records:N0} records");
        }
        Directory.CreateDirectory(cacheDir);
        File.Copy(source, Path.Combine(cacheDir, "advisories.db"), overwrite: true);
        say($"{source} ({new FileInfo(source).Length:N0} bytes, {Records:N0} advisories) copied into {cacheDir}");
    }

    /// <summary>
    /// Three layers, the usual shape of an application image: a slim Debian 12 base (the debootstrap minbase without apt's
    /// lists and caches, documentation and manual pages), the corpus's language packages, and <c>dpkg -i less</c> (the status file rewritten, as apt-get install does).
    /// </summary>
    private static async Task<string> BuildImageAsync(string work)
    {
        var deb = await DebianRootfs.DownloadDebAsync();
        var slimBase = await DebianRootfs.CopyToAsync(Path.Combine(work, "base"));
        foreach (var slimmed in new[] { "var/lib/apt/lists", "var/cache", "usr/share/doc", "usr/share/man" })
            await ProcessRunner.RunAsync("rm", ["-rf", "--", Path.Combine(slimBase, slimmed)]);
        var image = await new TestImageBuilder()
            .LayerFromDirectory(slimBase)
            .Layer(AddLanguagePackages)
            .Layer(e => DebianRootfs.InstallDebAsync(e.Root, deb))
            .BuildAsync("bench", Path.Combine(work, "image"));
        await ProcessRunner.RunAsync("rm", ["-rf", "--", slimBase]);
        var archive = Path.Combine(work, "image.tar");
        await ProcessRunner.RunAsync("skopeo", ["copy", "--quiet", image.Reference, $"docker-archive:{archive}:bench/debian-three-layers:latest"], TimeSpan.FromMinutes(10));
        Directory.Delete(image.LayoutDirectory, recursive: true);
        return archive;
    }

    /// <summary>The language packages of <see cref="ComparisonRoots.DebianWithLanguagesAsync"/>, where images keep them, as a layer of their own.</summary>
    private static void AddLanguagePackages(RootfsEditor editor)
    {
        editor.CopyDirectory(Corpus.PathOf("inventory", "python", "trivy-python-dir", "usr", "local", "lib", "python3.10", "site-packages"),
            "usr/local/lib/python3.11/site-packages");
        editor.CopyDirectory(Corpus.PathOf("inventory", "java", "trivy", "app"), "app/lib");
        editor.CopyDirectory(Corpus.PathOf("inventory", "npm", "trivy-happy", "app"), "app/web");
        editor.CopyDirectory(Corpus.PathOf("inventory", "dotnet", "trivy", "app"), "app/dotnet");
        editor.CopyDirectory(Corpus.PathOf("inventory", "cargo", "trivy-ci-test", "app"), "app/rust");
        editor.CopyDirectory(Corpus.PathOf("inventory", "php", "syft-composer2", "app"), "app/php");
        editor.CopyDirectory(Corpus.PathOf("inventory", "ruby", "trivy", "usr", "local", "lib", "ruby", "gems", "3.0.0", "specifications"),
            "var/lib/gems/3.1.0/specifications");
    }

    /// <summary>The layer tarballs' sizes, from the archive's manifest.json.</summary>
    private static IReadOnlyList<long> LayerSizes(string archive)
    {
        using var tar = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        string? manifest = null;
        while (tar.GetNextEntry() is { } entry)
        {
            sizes[entry.Name] = entry.Length;
            if (entry.Name == "manifest.json") manifest = new StreamReader(entry.DataStream!).ReadToEnd();
        }
        using var json = JsonDocument.Parse(manifest ?? throw new InvalidDataException("no manifest.json in " + archive));
        return json.RootElement[0].GetProperty("Layers").EnumerateArray().Select(l => sizes[l.GetString()!]).ToList();
    }

    /// <summary>The packages in Trivy's CycloneDX SBOM: its components, without the operating system entry.</summary>
    private static int CycloneDxComponents(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        return json.RootElement.TryGetProperty("components", out var components)
            ? components.EnumerateArray().Count(c => c.GetProperty("type").GetString() == "library")
            : 0;
    }
}
