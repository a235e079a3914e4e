using System.Text;
using BenchmarkDotNet.Attributes;
using ImageScanning.ScanEngine.Ecosystems.Debian;

namespace ImageScanning.Benchmarks;

/// <summary>
/// Memory of reading a very large dpkg status (400,000 packages, 56 MB, generated here): what the parser allocates for it.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*DpkgStatusMemory*'</c>; figures in docs/security.md.
/// </summary>
[MemoryDiagnoser]
public class DpkgStatusMemoryBenchmarks
{
    private byte[] _status = [];

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 400_000; i++)
            text.Append($"Package: pkg{i}\nStatus: install ok installed\nArchitecture: amd64\nSource: src{i / 4}\nVersion: 1.{i % 100}.{i % 7}-1\nDescription: generated package {i}\n\n");
        _status = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark(Description = "DpkgStatusParser.Parse, 400,000 packages")]
    public int Parse() => DpkgStatusParser.Parse(_status).Count;
}
