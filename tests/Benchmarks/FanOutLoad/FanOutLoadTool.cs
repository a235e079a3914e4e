using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.CveFeed.Importing;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>
/// `--fanout-load`: push-scan latency percentiles while a new advisory fans out to 1 % of a 10,000-image catalog, and while a bulk
/// import of 10,000 advisories runs, against the same push stream with nothing else going on. A console mode, not BenchmarkDotNet:
/// the figures are percentiles of concurrent operations, not the mean of repeated calls.
/// </summary>
public static class FanOutLoadTool
{
    public const string Switch = "--fanout-load";

    private sealed record Options(int Images, int Rounds, double PushesPerSecond, int BaselineSeconds, int PushImages, int BulkAdvisories, int BulkRetargeted)
    {
        public static Options Parse(string[] args)
        {
            int Int(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
            return new Options(Int("--images", 10_000), Int("--rounds", 30), Int("--pushes-per-second", 5), Int("--baseline-seconds", 30),
                Int("--push-images", 800), Int("--bulk", 10_000), Int("--bulk-retargeted", 10));
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var work = Directory.CreateTempSubdirectory("imagescanning-fanout-load-").FullName;
        try
        {
            await RunAsync(options, work);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(Options options, string work)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}");

        await using var registry = await RegistryServer.StartAsync();
        var images = await PushImages.PushAsync(registry, work, options.PushImages);
        Say($"{images.Count} distinct push images in docker-registry at {registry.Url}");
        var (marked, others) = await LoadInventories.AllAsync(work);
        Say($"Inventories (real engine, corpus roots): {string.Join(", ", marked.Concat(others).Select(i => $"{i.Name}={i.Packages.Count}"))}");

        await using var platform = await LoadPlatform.StartAsync(Path.Combine(work, "data"), registry.Url);
        var seeding = Stopwatch.StartNew();
        var affected = await platform.SeedCatalogAsync(options.Images, marked, others);
        Say($"Catalog seeded in {seeding.Elapsed.TotalSeconds:F0} s: {options.Images:N0} images with stored inventories; {affected.Count} hold the marked Cargo.lock");

        // Crates only the marked lock file holds: an advisory for one of them affects exactly the marked images.
        var otherKeys = others.SelectMany(platform.KeysOf).ToHashSet();
        var targets = marked.SelectMany(platform.KeysOf).Where(k => k.Ecosystem == "crates.io" && !otherKeys.Contains(k))
            .Distinct().OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
        if (targets.Count == 0) throw new InvalidOperationException("No crate is unique to the marked lock file.");
        // Each round is a new advisory id, so a crate may serve more than one round: the event and the re-scans are the same work.
        string Target(int i) => targets[i % targets.Count].Name;

        // A real advisory database under the scans: the whole go-vulndb feed, through CveFeed's import path.
        var import = platform.Services.GetRequiredService<AdvisoryImportService>();
        var feed = await import.ImportPathAsync(Corpus.PathOf("feeds", "go-vulndb-osv.zip"), "go-vulndb", CancellationToken.None);
        Say($"Advisory database: go-vulndb imported ({feed.Added} advisories)");
        await Task.Delay(TimeSpan.FromSeconds(10)); // let the router answer those NewCveAdded (none hits this catalog) before measuring

        await using var diagnostics = new PhaseDiagnostics();
        var stream = new PushStream(platform.Bus, platform.Completions, platform.Breakdown, images);
        for (var i = 0; i < 3; i++) await stream.PushOneAsync();
        var interval = TimeSpan.FromSeconds(1 / options.PushesPerSecond);
        var drain = TimeSpan.FromMinutes(5);

        diagnostics.TakeSummary();
        stream.Start(interval);
        await Task.Delay(TimeSpan.FromSeconds(options.BaselineSeconds));
        var baseline = await stream.StopAsync(drain);
        Say($"Baseline: {Summary(baseline)}; {diagnostics.TakeSummary()}");

        // Per round: import called → last RESCAN ScanCompleted (the whole path), and the part of it from NewCveAdded → last ScanCompleted.
        var fanOuts = new List<double>();
        var fromEvent = new List<double>();
        stream.Start(interval);
        for (var round = 0; round < options.Rounds; round++)
        {
            var id = $"BENCH-FANOUT-{round + 1}";
            var waits = affected.Select(k => platform.Completions.Expect(k.Digest, ScanTrigger.RESCAN)).ToArray();
            var announced = platform.Completions.ExpectAnnounced(id);
            var started = Stopwatch.GetTimestamp();
            await import.ImportJsonAsync(Advisory(id, Target(round)), "bench-fanout", CancellationToken.None);
            var all = Task.WhenAll(waits);
            if (await Task.WhenAny(all, Task.Delay(drain)) != all)
                throw new TimeoutException($"{waits.Count(w => !w.IsCompleted)} of {affected.Count} re-scans did not complete.");
            var last = (await all).Max();
            var eventAt = await announced;
            fanOuts.Add(Stopwatch.GetElapsedTime(started, last).TotalMilliseconds);
            fromEvent.Add(Stopwatch.GetElapsedTime(eventAt, last).TotalMilliseconds);
            Say($"Fan-out round {round + 1} ({Target(round)}): import → last of {affected.Count} RESCAN ScanCompleted in {fanOuts[^1]:F0} ms " +
                $"(NewCveAdded → last ScanCompleted {fromEvent[^1]:F0} ms)");
        }
        var during = await stream.StopAsync(drain);
        Say($"During fan-out: {Summary(during)}; {diagnostics.TakeSummary()}");

        if (options.BulkAdvisories > 0) await BulkAsync(options, work, import, platform, stream, diagnostics, interval, drain, Enumerable.Range(options.Rounds, options.BulkRetargeted).Select(Target).ToList(), baseline, Say);

        Console.WriteLine();
        Console.WriteLine($"Fan-out to {affected.Count} of {options.Images:N0} images, {options.Rounds} rounds (ms):");
        Console.WriteLine($"  NewCveAdded → last RESCAN ScanCompleted: {Spread(fromEvent)}");
        Console.WriteLine($"  import called → last RESCAN ScanCompleted: {Spread(fanOuts)}");
        Console.WriteLine($"Push scans, no fan-out:     {Summary(baseline)}");
        Console.WriteLine($"Push scans, during fan-out: {Summary(during)}");
        Console.WriteLine($"Ratio during/baseline: p50 {P(during, 50) / P(baseline, 50):F2}, " +
            $"p99 {P(during, 99) / P(baseline, 99):F2}");
    }

    private static async Task BulkAsync(Options options, string work, AdvisoryImportService import, LoadPlatform platform, PushStream stream,
        PhaseDiagnostics diagnostics, TimeSpan interval, TimeSpan drain, IReadOnlyList<string> retargetTo, IReadOnlyList<PushLatency> baseline, Action<string> say)
    {
        var directory = Path.Combine(work, "bulk");
        var written = WriteBulkFeed(directory, options.BulkAdvisories, retargetTo);
        var rescansBefore = platform.Completions.RescansCompleted;
        var expected = retargetTo.Count * (options.Images / 100);

        diagnostics.TakeSummary();
        stream.Start(interval);
        var start = Stopwatch.StartNew();
        var result = await import.ImportPathAsync(directory, "bench-bulk", CancellationToken.None);
        var imported = start.Elapsed;
        // Re-scans done: all expected arrived, or none arrived for 15 s.
        var (last, lastChange) = (platform.Completions.RescansCompleted, Stopwatch.StartNew());
        while (platform.Completions.RescansCompleted - rescansBefore < expected && lastChange.Elapsed < TimeSpan.FromSeconds(15) && start.Elapsed < drain)
        {
            await Task.Delay(200);
            if (platform.Completions.RescansCompleted != last) (last, lastChange) = (platform.Completions.RescansCompleted, Stopwatch.StartNew());
        }
        var rescans = platform.Completions.RescansCompleted - rescansBefore;
        var finished = start.Elapsed - (rescans < expected ? lastChange.Elapsed : TimeSpan.Zero);
        var during = await stream.StopAsync(drain);
        say($"Bulk import of {written:N0} advisories ({result.Added:N0} new, {result.Failed} failed) took {imported.TotalSeconds:F1} s; " +
            $"{rescans:N0} of {expected:N0} expected re-scans completed {finished.TotalSeconds:F1} s after the import started");
        say($"During bulk import: {Summary(during)}; {diagnostics.TakeSummary()}");
        Console.WriteLine($"Push scans, during bulk import + its re-scans: {Summary(during)}; ratio p50 " +
            $"{P(during, 50) / P(baseline, 50):F2}, p99 {P(during, 99) / P(baseline, 99):F2}");
    }

    /// <summary>
    /// 10,000 new OSV records: go-vulndb's real records under new ids (aliases dropped so none merges with its original), as many
    /// copies as it takes; <paramref name="retargetTo"/>.Count of them re-aimed at crates 1 % of the catalog holds, so the import
    /// also starts that many fan-outs of 100 re-scans each.
    /// </summary>
    private static int WriteBulkFeed(string directory, int count, IReadOnlyList<string> retargetTo)
    {
        Directory.CreateDirectory(directory);
        using var zip = ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
        var records = zip.Entries.Where(e => e.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            .Select(e => { using var s = e.Open(); return JsonNode.Parse(s)!.AsObject(); })
            .Where(r => r["id"] is not null && r["affected"] is JsonArray).ToList();
        for (var i = 0; i < count; i++)
        {
            var record = records[i % records.Count].DeepClone().AsObject();
            var id = $"{record["id"]}-BULK{i / records.Count + 1}";
            record["id"] = id;
            record["aliases"] = new JsonArray();
            record["modified"] = DateTimeOffset.UtcNow.ToString("O");
            if (i < retargetTo.Count) record["affected"] = Affected(retargetTo[i]);
            File.WriteAllText(Path.Combine(directory, id + ".json"), record.ToJsonString());
        }
        return count;
    }

    private static JsonArray Affected(string crate) => new(new JsonObject
    {
        ["package"] = new JsonObject { ["ecosystem"] = "crates.io", ["name"] = crate },
        ["ranges"] = new JsonArray(new JsonObject
        {
            ["type"] = "SEMVER",
            ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }),
        }),
    });

    private static string Advisory(string id, string crate) => new JsonObject
    {
        ["schema_version"] = "1.6.0",
        ["id"] = id,
        ["modified"] = DateTimeOffset.UtcNow.ToString("O"),
        ["published"] = DateTimeOffset.UtcNow.ToString("O"),
        ["summary"] = $"Load benchmark advisory for {crate}",
        ["affected"] = Affected(crate),
    }.ToJsonString();

    private static string Spread(IReadOnlyList<double> ms) =>
        $"min {ms.Min():F0}, p50 {PushStream.Percentile(ms, 50):F0}, p90 {PushStream.Percentile(ms, 90):F0}, max {ms.Max():F0}";

    private static string Summary(IReadOnlyList<PushLatency> latencies)
    {
        var total = latencies.Select(l => l.TotalMs).ToList();
        var scanned = latencies.Select(l => l.UntilScannedMs).ToList();
        var parts = latencies.Select(l => l.Parts).OfType<PushParts>().ToList();
        string Part(Func<PushParts, double> of) => parts.Count == 0 ? "?" : $"{PushStream.Percentile(parts.Select(of).ToList(), 50):F0}/{PushStream.Percentile(parts.Select(of).ToList(), 99):F0}";
        return $"n={total.Count}, p50 {PushStream.Percentile(total, 50):F0} ms, p99 {PushStream.Percentile(total, 99):F0} ms, max {total.Max():F0} ms " +
            $"(until ImageScanned: p50 {PushStream.Percentile(scanned, 50):F0} ms, p99 {PushStream.Percentile(scanned, 99):F0} ms; p50/p99 ms of " +
            $"router wait {Part(p => p.RouterWaitMs)}, router {Part(p => p.RouterMs)}, scanner wait {Part(p => p.ScannerWaitMs)}, " +
            $"scanner {Part(p => p.ScannerMs)}, ImageScanned delivery {Part(p => p.DeliveryMs)}, findings wait {Part(p => p.FindingsWaitMs)}, " +
            $"findings {Part(p => p.FindingsMs)}, ScanCompleted delivery {Part(p => p.CompletedDeliveryMs)})";
    }

    private static double P(IReadOnlyList<PushLatency> latencies, double percent) => PushStream.Percentile(latencies.Select(l => l.TotalMs).ToList(), percent);
}
