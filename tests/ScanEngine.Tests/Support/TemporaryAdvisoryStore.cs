using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Tests.Support;

/// <summary>A real SQLite advisory database in a temporary directory, deleted on dispose: what the matching tests run against.</summary>
public sealed class TemporaryAdvisoryStore : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "imagescanning-advisory-tests", Guid.NewGuid().ToString("N"));

    public TemporaryAdvisoryStore() => Store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));

    public SqliteAdvisoryStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
