using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Which implementation a store contract runs on.</summary>
public enum StoreBackend { Sqlite, MongoDB }

/// <summary>
/// The ScanRouter's four stores on one fresh "scanrouter" database per test, as the service registers them: a real SQLite file, or
/// a MongoDB database (MONGODB_URI or Testcontainers; without one every MongoDB test reports a skip). Each contract derives from
/// it and runs once per <see cref="StoreBackend"/>.
/// </summary>
public abstract class ScanRouterStoreFixture(StoreBackend backend)
{
    protected const string Registry = "123456789012";
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly string DigestA = "sha256:" + new string('a', 64);
    protected static readonly string DigestB = "sha256:" + new string('b', 64);
    protected static readonly string DigestC = "sha256:" + new string('c', 64);

    private string? _directory;
    private MongoServiceDatabase? _mongo;

    protected StoreBackend Backend => backend;
    protected IServiceDatabase Database { get; private set; } = null!;
    protected IScanningConfigurationStore Configuration { get; private set; } = null!;
    protected IImageCatalogStore Catalog { get; private set; } = null!;
    protected IPackageIndexStore PackageIndex { get; private set; } = null!;
    protected IScanUsageStore Usage { get; private set; } = null!;

    /// <summary>The SQLite file (SQLite only).</summary>
    protected string DatabasePath => Path.Combine(_directory ?? throw new InvalidOperationException("Not the SQLite backend."), "scanrouter.db");

    [SetUp]
    public async Task CreateStoresAsync()
    {
        if (backend == StoreBackend.Sqlite)
        {
            _directory = Directory.CreateTempSubdirectory("scanrouter-stores-").FullName;
            OpenSqlite();
            return;
        }
        var database = await MongoTestDatabase.CreateOrIgnoreAsync("scanrouter");
        _mongo = new MongoServiceDatabase(database, ScanRouterDatabase.Name);
        var configuration = new MongoScanningConfigurationStore(_mongo);
        var catalog = new MongoImageCatalogStore(_mongo);
        var packageIndex = new MongoPackageIndexStore(_mongo);
        var usage = new MongoScanUsageStore(_mongo);
        await Task.WhenAll(configuration.EnsureIndexesAsync(), catalog.EnsureIndexesAsync(), packageIndex.EnsureIndexesAsync(), usage.EnsureIndexesAsync());
        (Database, Configuration, Catalog, PackageIndex, Usage) = (_mongo, configuration, catalog, packageIndex, usage);
    }

    /// <summary>(Re)opens the stores on the SQLite file, as a restarted process would.</summary>
    protected void OpenSqlite()
    {
        var database = new SqliteDatabase(DatabasePath);
        (Database, Configuration, Catalog, PackageIndex, Usage) = (database, new SqliteScanningConfigurationStore(database),
            new SqliteImageCatalogStore(database), new SqlitePackageIndexStore(database), new SqliteScanUsageStore(database));
    }

    /// <summary>The four stores once more, on a second database object over the same file or MongoDB database: as a second host sees it.</summary>
    protected async Task<(IScanningConfigurationStore Configuration, IImageCatalogStore Catalog, IPackageIndexStore PackageIndex, IScanUsageStore Usage)>
        OpenSecondInstanceAsync()
    {
        if (_mongo is null)
        {
            var file = new SqliteDatabase(DatabasePath);
            return (new SqliteScanningConfigurationStore(file), new SqliteImageCatalogStore(file), new SqlitePackageIndexStore(file), new SqliteScanUsageStore(file));
        }
        var database = new MongoServiceDatabase(_mongo.Database, ScanRouterDatabase.Name);
        var configuration = new MongoScanningConfigurationStore(database);
        var catalog = new MongoImageCatalogStore(database);
        var packageIndex = new MongoPackageIndexStore(database);
        var usage = new MongoScanUsageStore(database);
        await Task.WhenAll(configuration.EnsureIndexesAsync(), catalog.EnsureIndexesAsync(), packageIndex.EnsureIndexesAsync(), usage.EnsureIndexesAsync());
        return (configuration, catalog, packageIndex, usage);
    }

    /// <summary>A distinct, valid digest per number.</summary>
    protected static string Digest(int n) => "sha256:" + n.ToString("x64");

    [TearDown]
    public async Task DestroyStoresAsync()
    {
        if (_mongo is not null)
            await _mongo.Database.Client.DropDatabaseAsync(_mongo.Database.DatabaseNamespace.DatabaseName);
        _mongo = null;
        if (_directory is null) return;
        SqliteConnection.ClearAllPools(); // the pooled connections hold the file open
        Directory.Delete(_directory, recursive: true);
        _directory = null;
    }

    protected static ImageRecord Image(
        string repository, string digest, IReadOnlyList<string>? tags = null, DateTimeOffset? pushedAt = null,
        string mediaType = "application/vnd.oci.image.manifest.v1+json", string registry = Registry) =>
        new(registry, repository, digest, tags ?? [], mediaType, pushedAt ?? T0, null, null, null, null, null, pushedAt ?? T0);
}
