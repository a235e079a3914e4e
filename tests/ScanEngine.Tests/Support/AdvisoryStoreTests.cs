using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Tests.Support;

/// <summary>Base of the matching tests: each test gets its own <see cref="TemporaryAdvisoryStore"/>, gone after it.</summary>
public abstract class AdvisoryStoreTests
{
    private TemporaryAdvisoryStore advisories = null!;

    protected SqliteAdvisoryStore store => advisories.Store;

    [SetUp]
    public void CreateAdvisoryStore() => advisories = new TemporaryAdvisoryStore();

    [TearDown]
    public void DeleteAdvisoryStore() => advisories.Dispose();
}
