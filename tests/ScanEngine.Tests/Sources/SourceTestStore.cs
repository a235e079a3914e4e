using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Tests.Support;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>A temporary-file SQLite advisory store, and corpus reading helpers, for the native-source tests.</summary>
public sealed class SourceTestStore : IDisposable
{
    private readonly TemporaryAdvisoryStore advisories = new();

    public SqliteAdvisoryStore Store => advisories.Store;

    public void Dispose() => advisories.Dispose();

    public static async Task<NativeFeedResult> ReadAsync(INativeAdvisorySource source, params string[] corpusPath)
    {
        await using var stream = File.OpenRead(Corpus.PathOf(corpusPath));
        return await source.ReadAsync(stream);
    }

    public static async Task<NativeFeedResult> ReadTextAsync(INativeAdvisorySource source, string text)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return await source.ReadAsync(stream);
    }
}
