using BenchmarkDotNet.Attributes;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// Matching one image's packages against the advisory database, warm, in one process: the real matcher
/// (<see cref="VulnerabilityMatcher"/> over every ecosystem of <see cref="EcosystemCatalog"/>, as ImageScanner calls it) on a
/// SqliteAdvisoryStore, over 1,000 real packages of several images (<see cref="MatchInventory"/>). The 500,000-record file is the one <c>--advisory-scale</c> leaves (built here when missing); the
/// baseline is the same 1,000 packages against the corpus records alone (5,135, copy 0 of every seed).
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*AdvisoryMatch*'</c>.
/// </summary>
[MemoryDiagnoser]
public class AdvisoryMatchBenchmarks
{
    public const int Records = 500_000;

    private string _work = "";
    private SqliteAdvisoryStore _large = null!;
    private SqliteAdvisoryStore _small = null!;
    private PerKeyLookupStore _largePerKey = null!;
    private IReadOnlyList<MatchInventory.Image> _images = [];
    private IReadOnlyList<MatchInventory.Image> _hundred = [];
    private IReadOnlyList<AdvisoryPackageKey> _keys = [];
    private readonly IReadOnlyList<IEcosystem> _ecosystems = EcosystemCatalog.All();

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescanning-match-").FullName;
        var seeds = await AdvisorySeeds.LoadAsync();
        var largePath = ScaleDatabase.DefaultPath(Records);
        if (!File.Exists(largePath))
        {
            Console.WriteLine($"// {largePath} missing: building it (as --advisory-scale does)");
            await ScaleDatabase.BuildAsync(largePath, new AdvisoryReplicator(seeds, Records), 1000, Console.WriteLine);
        }
        _large = new SqliteAdvisoryStore(largePath);
        _largePerKey = new PerKeyLookupStore(_large);
        _small = new SqliteAdvisoryStore(Path.Combine(_work, "corpus.db"));
        foreach (var chunk in seeds.Select(s => s.ToJsonString()).Chunk(1000))
            await _small.UpsertManyAsync(chunk.Select(j => (OsvParser.Parse(j), j)).ToList());
        Console.WriteLine($"// databases: {await _large.CountAsync():N0} and {await _small.CountAsync():N0} advisories");

        var all = await MatchInventory.LoadAsync(Path.Combine(_work, "roots"));
        _images = MatchInventory.Take(all, 1000);
        _hundred = MatchInventory.Every(_images, 10);
        _keys = _images
            .SelectMany(i => i.Packages.SelectMany(p => _ecosystems.Select(e => e.AdvisoryKeyFor(p, i.Distribution))))
            .OfType<AdvisoryKey>()
            .Select(k => new AdvisoryPackageKey(k.Ecosystem, AdvisoryPackageNames.Normalize(k.Ecosystem, k.PackageName)))
            .Distinct().ToList();
        await RequireSameMatchesAsync();
        Console.WriteLine($"// {all.Sum(i => i.Packages.Count)} corpus packages; matched: " +
            string.Join(", ", _images.Select(i => $"{i.Name}: {i.Packages.Count}")) +
            $"; by type {string.Join(", ", _images.SelectMany(i => i.Packages).GroupBy(p => p.Type).Select(g => $"{g.Count()} {g.Key}"))}; {_keys.Count} distinct advisory keys");
        foreach (var (name, store, images) in new (string, IAdvisoryStore, IReadOnlyList<MatchInventory.Image>)[]
                 { ("500k, 1,000", _large, _images), ("500k per-key lookup, 1,000", _largePerKey, _images), ("500k, 100", _large, _hundred), ("corpus, 1,000", _small, _images) })
        {
            var matches = new List<VulnerabilityMatch>();
            foreach (var image in images) matches.AddRange(await new VulnerabilityMatcher(store).MatchAsync(image.Packages, image.Distribution, _ecosystems));
            var advisories = (await store.FindByPackagesAsync(_keys)).Values.Sum(v => v.Count);
            Console.WriteLine($"// {name} packages: {matches.Count} matches in {matches.Select(m => m.Package).Distinct().Count()} packages, " +
                $"{matches.Select(m => m.VulnerabilityId).Distinct().Count()} distinct ids; the 1,000 packages' keys look up {advisories:N0} advisories");
        }
    }

    /// <summary>The batched lookup must find what the per-key one found: the same findings, in the same order.</summary>
    private async Task RequireSameMatchesAsync()
    {
        async Task<List<string>> Findings(IAdvisoryStore store)
        {
            var found = new List<string>();
            foreach (var image in _images)
                found.AddRange((await new VulnerabilityMatcher(store).MatchAsync(image.Packages, image.Distribution, _ecosystems))
                    .Select(m => $"{m.Package.Name}@{m.Package.Version} {m.VulnerabilityId} {m.FixedInVersion} {string.Join(",", m.Aliases)}"));
            return found;
        }
        var batched = await Findings(_large);
        var perKey = await Findings(_largePerKey);
        if (!batched.SequenceEqual(perKey))
            throw new InvalidOperationException($"the batched lookup's {batched.Count} findings differ from the per-key lookup's {perKey.Count}");
        var lookups = await _large.FindByPackagesAsync(_keys);
        var lookupsPerKey = await _largePerKey.FindByPackagesAsync(_keys);
        if (!_keys.All(k => lookups[k].Select(a => a.Id).SequenceEqual(lookupsPerKey[k].Select(a => a.Id))))
            throw new InvalidOperationException("the batched lookup returns other advisories than the per-key lookup");
        Console.WriteLine($"// batched and per-key lookups agree: {batched.Count} findings, {lookups.Values.Sum(v => v.Count):N0} (key, advisory) rows");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _large.Dispose();
        _small.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Match 1,000 packages, corpus-only DB (5,135 advisories)")]
    public int MatchSmall() => Match(_small, _images);

    [Benchmark(Description = "Match 1,000 packages, 500,000-advisory DB")]
    public int MatchLarge() => Match(_large, _images);

    [Benchmark(Description = "Match 1,000 packages, 500,000-advisory DB, the per-key lookup of aa62677 (before)")]
    public int MatchLargePerKey() => Match(_largePerKey, _images);

    [Benchmark(Description = "Match 100 packages, 500,000-advisory DB")]
    public int MatchHundred() => Match(_large, _hundred);

    /// <summary>The store's part of <see cref="MatchLarge"/>: the one batched lookup of every key (SQL, JSON parse).</summary>
    [Benchmark(Description = "Store lookup only: FindByPackagesAsync of the 1,000 packages' keys in one call, 500,000-advisory DB")]
    public int LookupLarge() => _large.FindByPackagesAsync(_keys).GetAwaiter().GetResult().Count;

    [Benchmark(Description = "Store lookup only, the per-key lookup of aa62677 (before)")]
    public int LookupLargePerKey() => _largePerKey.FindByPackagesAsync(_keys).GetAwaiter().GetResult().Count;

    /// <summary>One matcher call per image, as a scanner makes one per scan.</summary>
    private int Match(IAdvisoryStore store, IReadOnlyList<MatchInventory.Image> images)
    {
        var matches = 0;
        var matcher = new VulnerabilityMatcher(store);
        foreach (var image in images) matches += matcher.MatchAsync(image.Packages, image.Distribution, _ecosystems).GetAwaiter().GetResult().Count;
        return matches;
    }
}
