using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary><see cref="IScanningConfigurationStore"/> in the ScanRouter's SQLite file: one row per registry or repository, last write wins.</summary>
public sealed class SqliteScanningConfigurationStore : IScanningConfigurationStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS scanning_configurations (
            registry   TEXT NOT NULL PRIMARY KEY,
            scan_type  TEXT NOT NULL,
            rules      TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS rescan_configurations (
            registry      TEXT NOT NULL PRIMARY KEY,
            configuration TEXT NOT NULL,
            updated_at    INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS repository_settings (
            registry     TEXT NOT NULL,
            repository   TEXT NOT NULL,
            scan_on_push INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (registry, repository)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteScanningConfigurationStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.EnsureSchema(Schema);
        _database = database;
    }

    private SqliteScanningConfigurationStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IScanningConfigurationStore In(UnitOfWork work) => new SqliteScanningConfigurationStore(_database, _database.Join(work));

    public async Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, "SELECT scan_type, rules FROM scanning_configurations WHERE registry = $registry;");
        command.Parameters.AddWithValue("$registry", registry);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return ScanningRules.DefaultConfiguration;
        var scanType = Enum.Parse<ScanType>(reader.GetString(0));
        var rules = JsonSerializer.Deserialize<List<RegistryScanningRule>>(reader.GetString(1), Json) ?? [];
        return new RegistryScanningConfiguration(scanType, rules);
    }

    public async Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            INSERT INTO scanning_configurations (registry, scan_type, rules, updated_at)
            VALUES ($registry, $scanType, $rules, $now)
            ON CONFLICT (registry) DO UPDATE SET scan_type = excluded.scan_type, rules = excluded.rules, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$scanType", configuration.ScanType.ToString());
        command.Parameters.AddWithValue("$rules", JsonSerializer.Serialize(configuration.Rules ?? [], Json));
        command.Parameters.AddWithValue("$now", ToMilliseconds(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, "SELECT registry FROM scanning_configurations ORDER BY registry;");
        var registries = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) registries.Add(reader.GetString(0));
        return registries;
    }

    public async Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, "SELECT configuration, updated_at FROM rescan_configurations WHERE registry = $registry;");
        command.Parameters.AddWithValue("$registry", registry);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return new StoredRescanConfiguration(RescanEligibility.DefaultConfiguration, null);
        var configuration = JsonSerializer.Deserialize<EcrRescanConfiguration>(reader.GetString(0), Json)
            ?? throw new InvalidDataException($"The stored rescan configuration of '{registry}' is empty.");
        return new StoredRescanConfiguration(configuration, FromMilliseconds(reader.GetInt64(1)));
    }

    public async Task PutRescanConfigurationAsync(string registry, EcrRescanConfiguration configuration, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            INSERT INTO rescan_configurations (registry, configuration, updated_at) VALUES ($registry, $configuration, $at)
            ON CONFLICT (registry) DO UPDATE SET configuration = excluded.configuration, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$configuration", JsonSerializer.Serialize(configuration, Json));
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection,
            "SELECT scan_on_push FROM repository_settings WHERE registry = $registry AND repository = $repository;");
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        return await command.ExecuteScalarAsync(cancellationToken) is long value && value != 0;
    }

    public async Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            INSERT INTO repository_settings (registry, repository, scan_on_push, updated_at) VALUES ($registry, $repository, $scanOnPush, $now)
            ON CONFLICT (registry, repository) DO UPDATE SET scan_on_push = excluded.scan_on_push, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$scanOnPush", scanOnPush ? 1 : 0);
        command.Parameters.AddWithValue("$now", ToMilliseconds(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> ListScanOnPushRepositoriesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection,
            "SELECT repository FROM repository_settings WHERE registry = $registry AND scan_on_push <> 0;");
        command.Parameters.AddWithValue("$registry", registry);
        var repositories = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) repositories.Add(reader.GetString(0));
        return repositories;
    }
}
