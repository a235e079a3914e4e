using BenchmarkDotNet.Attributes;
using ImageScanning.Benchmarks.DpkgBaseline;
using ImageScanning.Benchmarks.DpkgMemory;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks;

/// <summary>
/// Memory of reading a very large dpkg status (400,000 packages, 56 MB, <see cref="GeneratedDpkgStatus"/>): what the parser,
/// and the finder over it, allocate; the parsers of commits before 3247b12 and of aa62677 are the baselines (DpkgBaseline/).
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*DpkgStatusMemory*'</c>; figures in docs/benchmarks.md.
/// Peak RSS and what is kept, per parser in its own process: <c>--dpkg-memory</c> (DpkgMemory/DpkgMemoryTool.cs).
/// </summary>
[MemoryDiagnoser]
public class DpkgStatusMemoryBenchmarks
{
    private byte[] _status = [];
    private ImageFiles _files = null!;

    [GlobalSetup]
    public void Setup()
    {
        _status = GeneratedDpkgStatus.Create();
        _files = new ImageFiles([new LayerFiles { Digest = "sha256:generated", Files = new Dictionary<string, byte[]> { [DpkgFinder.StatusPath] = _status } }]);
    }

    [Benchmark(Baseline = true, Description = "Parse, before 3247b12 (whole-file string, every field)")]
    public int ParseDictionary() => DictionaryDpkgStatusParser.Parse(_status).Count;

    [Benchmark(Description = "Parse, aa62677 (bytes, five fields)")]
    public int ParseBytes() => ByteDpkgStatusParser.Parse(_status).Count;

    [Benchmark(Description = "DpkgStatusParser.Parse now")]
    public int Parse() => DpkgStatusParser.Parse(_status).Count;

    [Benchmark(Description = "Finder over the aa62677 parser")]
    public int FindBytes() => BaselineDpkgFinder.Find(_files, ByteDpkgStatusParser.Parse).Count;

    [Benchmark(Description = "DpkgFinder.Find now")]
    public int Find() => new DpkgFinder().Find(_files, null).Count();
}
