using System.Diagnostics;
using ImageScanning.Benchmarks.FanOutLoad;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Matching;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// <c>--match-profile [--iterations 300]</c>: where the time of matching the 1,000 packages against the 500,000-advisory file goes,
/// by Stopwatch (no profiler on this machine): per iteration (warm, after 20 discarded), the whole matching of every image, and the
/// part spent inside the store's FindByPackagesAsync (timed by a decorator); the rest is the matcher's key building, range
/// evaluation and merging. Percentiles over the iterations.
/// </summary>
public static class MatchProfileTool
{
    public const string Switch = "--match-profile";

    public static async Task<int> RunAsync(string[] args)
    {
        var index = Array.IndexOf(args, "--iterations");
        var iterations = index >= 0 ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : 300;
        var path = ScaleDatabase.DefaultPath(AdvisoryMatchBenchmarks.Records);
        if (!File.Exists(path)) throw new FileNotFoundException("run --advisory-scale first", path);
        var work = Directory.CreateTempSubdirectory("imagescanning-match-profile-").FullName;
        try
        {
            using var inner = new SqliteAdvisoryStore(path);
            var store = new TimedStore(inner);
            var images = MatchInventory.Take(await MatchInventory.LoadAsync(work), 1000);
            var ecosystems = EcosystemCatalog.All();
            var matcher = new VulnerabilityMatcher(store);
            var total = new List<double>();
            var lookup = new List<double>();
            for (var i = -20; i < iterations; i++)
            {
                store.Reset();
                var watch = Stopwatch.StartNew();
                foreach (var image in images) await matcher.MatchAsync(image.Packages, image.Distribution, ecosystems);
                watch.Stop();
                if (i < 0) continue;
                total.Add(watch.Elapsed.TotalMilliseconds);
                lookup.Add(store.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"Match 1,000 packages ({images.Count} matcher calls), whole: {AdvisoryScaleTool.Percentiles(total)}");
            Console.WriteLine($"  of which FindByPackagesAsync: {AdvisoryScaleTool.Percentiles(lookup)}");
            Console.WriteLine($"  the rest (keys, evaluation, merge): {AdvisoryScaleTool.Percentiles(total.Zip(lookup, (t, l) => t - l).ToList())}");
            Console.WriteLine($"  p50 share of the store: {PushStream.Percentile(lookup, 50) / PushStream.Percentile(total, 50):P0}");

            // Of the store's part, the JSON parse: the advisories one iteration's calls return, parsed again on their own.
            var stored = await inner.FindByIdsOrAliasesAsync(store.LastIds.Select(i => i.Id).Distinct().ToList());
            var json = stored.ToDictionary(s => s.Advisory.Id, s => s.RawJson);
            var parse = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var watch = Stopwatch.StartNew();
                foreach (var (_, id) in store.LastIds) OsvParser.Parse(json[id]);
                parse.Add(watch.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"  JSON parse of the {store.LastIds.Count} (call, advisory) pairs of one iteration ({store.LastIds.Sum(i => (long)json[i.Id].Length):N0} chars), alone: {AdvisoryScaleTool.Percentiles(parse)}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Times the package lookups of a store; every other call is passed through.</summary>
    private sealed class TimedStore(IAdvisoryStore inner) : IAdvisoryStore
    {
        public TimeSpan Elapsed { get; private set; }

        public void Reset()
        {
            Elapsed = TimeSpan.Zero;
            LastIds.Clear();
        }

        /// <summary>The (call, advisory id) pairs the calls since the last <see cref="Reset"/> returned.</summary>
        public List<(int Call, string Id)> LastIds { get; } = [];
        private int calls;

        public async Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
        {
            var watch = Stopwatch.StartNew();
            var result = await inner.FindByPackagesAsync(keys, ct);
            Elapsed += watch.Elapsed;
            calls++;
            LastIds.AddRange(result.Values.SelectMany(v => v).Select(a => (calls, a.Id)).Distinct());
            return result;
        }

        public Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default) => inner.UpsertAsync(advisory, rawJson, ct);
        public Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default) => inner.UpsertManyAsync(items, ct);
        public Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default) => inner.FindByPackageAsync(ecosystem, packageName, ct);
        public Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default) => inner.GetAsync(id, ct);
        public Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) => inner.FindByIdsOrAliasesAsync(ids, ct);
        public Task<long> CountAsync(CancellationToken ct = default) => inner.CountAsync(ct);
        public Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default) => inner.LastChangedAsync(ct);
    }
}
