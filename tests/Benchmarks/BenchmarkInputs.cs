using ImageScanning.Comparison.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks;

/// <summary>
/// The inputs both benchmarks use, made in a temporary directory and removed afterwards: the debootstrap
/// Debian 12 rootfs with the corpus language packages (as in the recall test), and a gzip layer of it.
/// </summary>
public sealed class BenchmarkInputs : IDisposable
{
    public string Work { get; } = Directory.CreateTempSubdirectory("imagescanning-bench-").FullName;
    public string Rootfs => Path.Combine(Work, "rootfs");
    public string Layer => Path.Combine(Work, "layer.tar.gz");

    public static BenchmarkInputs CreateRootfs()
    {
        var inputs = new BenchmarkInputs();
        ComparisonRoots.DebianWithLanguagesAsync(inputs.Rootfs).GetAwaiter().GetResult();
        return inputs;
    }

    public static BenchmarkInputs CreateLayer()
    {
        var inputs = CreateRootfs();
        ProcessRunner.Run("tar", ["-C", inputs.Rootfs, "-czf", inputs.Layer, "."], TimeSpan.FromMinutes(10));
        var bytes = new FileInfo(inputs.Layer).Length;
        Console.WriteLine($"// Layer {inputs.Layer}: {bytes:N0} bytes compressed ({bytes / 1_000_000.0:F1} MB)");
        return inputs;
    }

    // rm -rf copes with the read-only and special files of a debootstrap copy.
    public void Dispose() => ProcessRunner.Run("rm", ["-rf", "--", Work], TimeSpan.FromMinutes(5));
}
