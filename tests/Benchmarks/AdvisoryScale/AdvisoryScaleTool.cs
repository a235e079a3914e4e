using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ImageScanning.Benchmarks.FanOutLoad;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// <c>--advisory-scale [--records 500000] [--batch 1000] [--rounds 10] [--db PATH]</c>: builds the replicated database in
/// a SqliteAdvisoryStore file (one-shot, so a console mode rather than BenchmarkDotNet) and prints the import time, records/s,
/// the size on disk, then incremental updates: rounds of 1,000 changed records, and one feed update of 10,000 records of which
/// 1,000 changed, checking that the 9,000 unchanged ones were not rewritten. The file is left for the matching benchmark.
/// </summary>
public static class AdvisoryScaleTool
{
    public const string Switch = "--advisory-scale";

    public static async Task<int> RunAsync(string[] args)
    {
        var records = Option(args, "--records", 500_000);
        var batchSize = Option(args, "--batch", 1000);
        var rounds = Option(args, "--rounds", 10);
        var path = OptionText(args, "--db") ?? ScaleDatabase.DefaultPath(records);

        var seeds = await AdvisorySeeds.LoadAsync();
        var replicator = new AdvisoryReplicator(seeds, records);
        Console.WriteLine($"// {seeds.Count:N0} seed records ({replicator.OperatingSystemSeeds} OS), up to {replicator.MaxCopies:N0} copies each, {replicator.Total:N0} records -> {path}");

        var import = await ScaleDatabase.BuildAsync(path, replicator, batchSize, Console.WriteLine);
        var totalMs = import.ParseMs + import.StoreMs;
        var bytes = ScaleDatabase.Bytes(path);
        Console.WriteLine($"Import: {import.Records:N0} records in {totalMs / 1000:F1} s ({import.Records / (totalMs / 1000):N0} records/s): " +
            $"parse {import.ParseMs / 1000:F1} s, store {import.StoreMs / 1000:F1} s ({import.Records / (import.StoreMs / 1000):N0} records/s)");
        Console.WriteLine($"Import, per batch of {batchSize:N0}: {Percentiles(import.BatchMs)}");
        Console.WriteLine($"Size on disk: {bytes:N0} bytes ({bytes / 1048576.0:N0} MiB), {bytes / (double)import.Records:N0} bytes per record; " +
            $"{ScaleDatabase.Scalar(path, "SELECT COUNT(*) FROM advisory_packages"):N0} package rows, " +
            $"{ScaleDatabase.Scalar(path, "SELECT COUNT(*) FROM advisory_aliases"):N0} alias rows, " +
            $"{ScaleDatabase.Scalar(path, "SELECT SUM(LENGTH(json)) FROM advisories"):N0} bytes of JSON");
        foreach (var (ecosystem, names, rows) in ScaleDatabase.PackageNamesByEcosystem(path))
            Console.WriteLine($"  {ecosystem}: {names:N0} package names, {rows:N0} (package, advisory) rows");

        var positions = replicator.All().Select(r => (r.Seed, r.Copy)).ToArray();
        using var store = new SqliteAdvisoryStore(path);
        var next = 0;
        (int Seed, int Copy) Pick() => positions[(int)((long)next++ * 7919 % positions.Length)]; // a fixed permutation: every pick distinct

        // Rounds of 1,000 changed records, one store call each (one transaction).
        var changedMs = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var items = Enumerable.Range(0, 1000).Select(_ => Changed(replicator, Pick(), round)).ToList();
            var watch = Stopwatch.StartNew();
            var results = await store.UpsertManyAsync(items);
            watch.Stop();
            Require(results.Count(r => r.Change == AdvisoryChange.Changed) == 1000, $"round {round}: {Counts(results)}, not 1,000 Changed");
            changedMs.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"Update of 1,000 changed records (one batch, {rounds} rounds, each different records): {Percentiles(changedMs)}");

        // A feed update: 10,000 records read again, 1,000 of them changed, stored in batches as the importer does.
        ScaleDatabase.Checkpoint(path);
        var before = await store.LastChangedAsync() ?? throw new InvalidOperationException("empty store");
        await Task.Delay(5); // updated_at is in milliseconds
        var feed = Enumerable.Range(0, 10_000).Select(string (i) =>
        {
            var pick = Pick();
            return i % 10 == 0 ? Changed(replicator, pick, rounds).Item2 : Unchanged(replicator, pick);
        }).ToList();
        var update = Stopwatch.StartNew();
        var all = new List<AdvisoryUpsertResult>();
        foreach (var batch in feed.Chunk(batchSize)) all.AddRange(await store.UpsertManyAsync(batch.Select(j => (OsvParser.Parse(j), j)).ToList()));
        update.Stop();
        var rewritten = ScaleDatabase.Scalar(path, $"SELECT COUNT(*) FROM advisories WHERE updated_at > {before.ToUnixTimeMilliseconds()}");
        var wal = ScaleDatabase.WalBytes(path);
        Console.WriteLine($"Feed update, 10,000 records of which 1,000 changed: {update.Elapsed.TotalMilliseconds:F0} ms (parse included); {Counts(all)}; " +
            $"rows with a new updated_at: {rewritten:N0}; WAL written: {wal:N0} bytes");
        Require(all.Count(r => r.Change == AdvisoryChange.Changed) == 1000 && all.Count(r => r.Change == AdvisoryChange.Unchanged) == 9000, "the feed update's counts");
        Require(rewritten == 1000, $"{rewritten} rows rewritten, not the 1,000 changed ones");
        Console.WriteLine($"Database left at {path} ({ScaleDatabase.Bytes(path):N0} bytes) for the matching benchmark");
        return 0;
    }

    /// <summary>Copy of a stored record whose affected data differ: one more affected version, a new modified time.</summary>
    private static (OsvAdvisory, string) Changed(AdvisoryReplicator replicator, (int Seed, int Copy) pick, int round)
    {
        var record = replicator.CopyNode(pick.Seed, pick.Copy);
        record["modified"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var affected = record["affected"] as JsonArray;
        if (affected is null || affected.Count == 0)
        {
            affected = [new JsonObject { ["package"] = new JsonObject { ["ecosystem"] = "npm", ["name"] = "bench-update" } }];
            record["affected"] = affected;
        }
        var first = (JsonObject)affected[0]!;
        if (first["versions"] is not JsonArray versions) first["versions"] = versions = [];
        versions.Add($"0.0.0-bench-update-{round}");
        var json = record.ToJsonString();
        return (OsvParser.Parse(json), json);
    }

    private static string Unchanged(AdvisoryReplicator replicator, (int Seed, int Copy) pick) => replicator.Copy(pick.Seed, pick.Copy);

    private static string Counts(IEnumerable<AdvisoryUpsertResult> results) =>
        string.Join(", ", results.GroupBy(r => r.Change).OrderBy(g => g.Key).Select(g => $"{g.Count():N0} {g.Key}"));

    public static string Percentiles(IReadOnlyList<double> ms) =>
        $"n={ms.Count}, min {ms.Min():F1} ms, p50 {PushStream.Percentile(ms, 50):F1} ms, p90 {PushStream.Percentile(ms, 90):F1} ms, " +
        $"p99 {PushStream.Percentile(ms, 99):F1} ms, max {ms.Max():F1} ms";

    private static void Require(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException("Check failed: " + what);
    }

    private static string? OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
