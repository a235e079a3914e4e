using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>A temporary-file SQLite advisory store, and corpus reading helpers, for the native-source tests.</summary>
public sealed class SourceTestStore : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "native-source-tests", Guid.NewGuid().ToString("N"));

    public SourceTestStore() => Store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));

    public SqliteAdvisoryStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(directory, recursive: true);
    }

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
