using BenchmarkDotNet.Attributes;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks;

/// <summary>
/// Streaming one real gzip layer (the Debian rootfs, tar -czf): our LayerReader, keeping the files an
/// ENHANCED scan wants, against `gzip -dc` writing to /dev/null, the floor for any gzip layer reader.
/// </summary>
public class LayerThroughputBenchmarks
{
    private BenchmarkInputs _inputs = null!;
    private readonly LayerReader _reader = new();
    private Func<string, bool> _wants = _ => false;

    [GlobalSetup]
    public void Setup()
    {
        _inputs = BenchmarkInputs.CreateLayer();
        var finders = EcosystemCatalog.All().SelectMany(e => e.Finders).ToArray();
        _wants = path => DistributionDetector.Wants(path) || finders.Any(f => f.Wants(path));
        // Shows in the log that the reader went through the whole layer, not just up to the files it keeps.
        var stats = Read().Stats;
        Console.WriteLine($"// LayerReader: {stats.CompressedBytes:N0} compressed bytes, {stats.UncompressedBytes:N0} uncompressed, "
            + $"{stats.Entries:N0} entries, {stats.KeptFiles:N0} files kept ({stats.KeptBytes:N0} bytes)");
    }

    [GlobalCleanup]
    public void Cleanup() => _inputs.Dispose();

    [Benchmark(Baseline = true, Description = "gzip -dc layer > /dev/null (process)")]
    public int Gzip() => ProcessRunner.Run("sh", ["-c", "gzip -dc -- \"$1\" > /dev/null", "sh", _inputs.Layer], TimeSpan.FromMinutes(5)).ExitCode;

    [Benchmark(Description = "Ours: LayerReader, ENHANCED wants (in-process)")]
    public long Ours() => Read().Stats.UncompressedBytes;

    private LayerReadResult Read()
    {
        using var stream = File.OpenRead(_inputs.Layer);
        return _reader.ReadWithStatsAsync(stream, MediaTypes.OciLayerGzip, "sha256:bench", _wants, LayerLimits.Default, CancellationToken.None)
            .GetAwaiter().GetResult();
    }
}
