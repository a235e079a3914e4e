using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Cli.Database;

/// <summary>
/// The cache directory: <c>advisories.db</c> (the SQLite advisory database, with the <c>imagescan_sources</c> metadata table
/// beside ScanEngine's tables), an optional <c>config.json</c> listing the sources <c>db update</c> reads, and <c>secdb/</c>.
/// </summary>
public sealed class AdvisoryCache : IDisposable
{
    public const string DatabaseFileName = "advisories.db";
    public const string ConfigFileName = "config.json";

    private AdvisoryCache(string directory)
    {
        Directory = directory;
        Store = new SqliteAdvisoryStore(DatabasePath);
        Sources = new SourceCatalog(DatabasePath);
    }

    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, DatabaseFileName);
    public string ConfigPath => Path.Combine(Directory, ConfigFileName);

    /// <summary>Copies of the files of feeds that split records over files (Alpine secdb), merged with each new one (see <see cref="AdvisoryFileImporter"/>).</summary>
    public string KeptFeedsDirectory => Path.Combine(Directory, "kept-feeds");

    /// <summary>An importer into this cache's store that keeps such files for merging.</summary>
    public AdvisoryFileImporter Importer(IImportProgress progress) => new(Store, progress, KeptFeedsDirectory);
    public SqliteAdvisoryStore Store { get; }
    public SourceCatalog Sources { get; }

    /// <summary>True when <paramref name="directory"/> holds a database (checked without creating one).</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, DatabaseFileName));

    /// <summary>Opens the cache, creating the directory and an empty database on first use.</summary>
    public static AdvisoryCache Open(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        return new AdvisoryCache(directory);
    }

    /// <summary>The database's bytes on disk: the file and its write-ahead log.</summary>
    public long SizeOnDisk() =>
        new[] { "", "-wal", "-shm" }.Select(suffix => new FileInfo(DatabasePath + suffix)).Where(f => f.Exists).Sum(f => f.Length);

    /// <summary>A scratch directory inside the cache (same file system, so a download never fills /tmp), deleted by the caller.</summary>
    public string CreateScratchDirectory()
    {
        var scratch = Path.Combine(Directory, "tmp", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(scratch);
        return scratch;
    }

    public void Dispose()
    {
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
