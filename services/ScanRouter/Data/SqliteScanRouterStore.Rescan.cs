using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Re-scan configuration, pull dates, eligibility expiry and scan usage.</summary>
public sealed partial class SqliteScanRouterStore
{
    private const string ExpiredStatus = nameof(ScanStatus.SCAN_ELIGIBILITY_EXPIRED);

    private static void CreateRescanTables(SqliteConnection connection) => Execute(connection, """
        CREATE TABLE IF NOT EXISTS rescan_configurations (
            registry      TEXT NOT NULL PRIMARY KEY,
            configuration TEXT NOT NULL,
            updated_at    INTEGER NOT NULL
        );
        -- One row per counted scan: the scan id as key makes a redelivered ImageScanned count once.
        CREATE TABLE IF NOT EXISTS scan_usage (
            scan_id    TEXT NOT NULL PRIMARY KEY,
            registry   TEXT NOT NULL,
            repository TEXT NOT NULL,
            month      TEXT NOT NULL,
            kind       TEXT NOT NULL,
            counted_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_scan_usage_month ON scan_usage (registry, month, repository);
        """);

    public async Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var connection = Open();
        await using var command = Command(connection, "SELECT configuration, updated_at FROM rescan_configurations WHERE registry = $registry;");
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
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            INSERT INTO rescan_configurations (registry, configuration, updated_at) VALUES ($registry, $configuration, $at)
            ON CONFLICT (registry) DO UPDATE SET configuration = excluded.configuration, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$configuration", JsonSerializer.Serialize(configuration, Json));
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT registry FROM scanning_configurations ORDER BY registry;");
        var registries = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) registries.Add(reader.GetString(0));
        return registries;
    }

    public async Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            UPDATE images SET last_pulled_at = MAX(COALESCE(last_pulled_at, $at), $at)
             WHERE registry = $registry AND repository = $repository AND digest = $digest;
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            UPDATE images
               SET scan_status = $expired, scan_status_description = $description, scan_status_at = $at, updated_at = $at
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (scan_status IS NULL OR scan_status <> $expired);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$expired", ExpiredStatus);
        command.Parameters.AddWithValue("$description", RescanEligibility.ExpiredDescription);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            INSERT OR IGNORE INTO scan_usage (scan_id, registry, repository, month, kind, counted_at)
            VALUES ($scanId, $registry, $repository, $month, $kind, $at);
            """);
        command.Parameters.AddWithValue("$scanId", scanId.ToString("D"));
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$month", UsageMonth.Of(at));
        command.Parameters.AddWithValue("$kind", kind.ToString());
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<RepositoryUsageCount>> GetScanUsageAsync(string registry, int year, int month, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var connection = Open();
        await using var command = Command(connection, """
            SELECT repository, SUM(kind = 'Initial'), SUM(kind = 'Rescan')
              FROM scan_usage WHERE registry = $registry AND month = $month
             GROUP BY repository ORDER BY repository;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$month", UsageMonth.Of(year, month));
        var counts = new List<RepositoryUsageCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            counts.Add(new RepositoryUsageCount(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return counts;
    }
}
