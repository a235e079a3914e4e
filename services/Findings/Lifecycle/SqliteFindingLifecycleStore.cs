using System.Globalization;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// Embedded store: the finding as JSON plus the columns that queries filter, sort and group by, in the service's SQLite file.
/// Joined with a unit of work, reads and writes go through its connection and transaction.
/// </summary>
public sealed class SqliteFindingLifecycleStore : IFindingLifecycleStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS findings (
            id TEXT PRIMARY KEY, image_key TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL,
            vulnerability_id TEXT NOT NULL, package_name TEXT NOT NULL, layer_hash TEXT NOT NULL,
            severity TEXT NOT NULL, severity_rank INTEGER NOT NULL, status TEXT NOT NULL, fix_available TEXT NOT NULL,
            first_observed_at INTEGER NOT NULL, last_observed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            record TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS findings_by_image ON findings (image_key);
        CREATE INDEX IF NOT EXISTS findings_by_status ON findings (status, severity_rank);
        -- Covers the gauge and the repository/image aggregations: grouped counts without reading the JSON rows.
        CREATE INDEX IF NOT EXISTS findings_counts ON findings (status, registry, repository, digest, severity, fix_available);
        CREATE INDEX IF NOT EXISTS findings_by_severity ON findings (severity, status, last_observed_at);
        CREATE INDEX IF NOT EXISTS findings_by_repository ON findings (registry, repository);
        CREATE TABLE IF NOT EXISTS images (
            image_key TEXT PRIMARY KEY, revision INTEGER NOT NULL, applied_at INTEGER, applied_scan_id TEXT, inventory TEXT);
        CREATE TABLE IF NOT EXISTS suppression_rules (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, record TEXT NOT NULL);
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteFindingLifecycleStore(SqliteDatabase database) : this(database, null) => database.EnsureSchema(Schema);

    private SqliteFindingLifecycleStore(SqliteDatabase database, SqliteUnitOfWork? work)
    {
        _database = database;
        _work = work;
    }

    public IFindingLifecycleStore In(UnitOfWork work) => new SqliteFindingLifecycleStore(_database, _database.Join(work));

    public async Task<ImageFindingsState> GetImageAsync(string imageKey, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        var connection = read.Connection;
        // The revision and the rows belong together: one read transaction (a unit of work's own, or a deferred one here).
        await using var snapshot = _work is null ? connection.BeginTransaction(deferred: true) : null;
        long revision = 0;
        DateTimeOffset? appliedAt = null;
        Guid? scanId = null;
        await using (var command = Command(connection, "SELECT revision, applied_at, applied_scan_id FROM images WHERE image_key = $key", ("$key", imageKey)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                revision = reader.GetInt64(0);
                appliedAt = reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
                scanId = reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2));
            }
        }
        var findings = await ReadFindingsAsync(Command(connection, "SELECT record FROM findings WHERE image_key = $key", ("$key", imageKey)), cancellationToken);
        return new ImageFindingsState(imageKey, revision, appliedAt, scanId, findings);
    }

    public async Task<bool> TryCommitAsync(ImageFindingsCommit commit, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        var connection = write.Connection;
        // An IMMEDIATE transaction (or the unit of work's) holds the write lock, so the revision check and the writes are one step.
        await using var transaction = write.BeginTransaction();
        await using (var check = Command(connection, "SELECT revision FROM images WHERE image_key = $key", ("$key", commit.ImageKey)))
        {
            var revision = (long?)await check.ExecuteScalarAsync(cancellationToken) ?? 0;
            if (revision != commit.ExpectedRevision) return false;
        }
        foreach (var finding in commit.Writes) await UpsertAsync(connection, finding, cancellationToken);
        await using (var image = Command(connection, """
            INSERT INTO images (image_key, revision, applied_at, applied_scan_id, inventory) VALUES ($key, $revision, $at, $scan, $inventory)
            ON CONFLICT (image_key) DO UPDATE SET revision = excluded.revision, applied_at = excluded.applied_at,
                applied_scan_id = excluded.applied_scan_id, inventory = COALESCE(excluded.inventory, images.inventory);
            """,
            ("$key", commit.ImageKey), ("$revision", commit.ExpectedRevision + 1), ("$at", commit.AppliedAt.ToUnixTimeMilliseconds()),
            ("$scan", commit.AppliedScanId?.ToString()),
            ("$inventory", commit.Inventory is null ? null : JsonSerializer.Serialize(commit.Inventory, FindingsJson.Options))))
            await image.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task UpdateFindingsAsync(IReadOnlyList<FindingRecord> findings, CancellationToken cancellationToken = default)
    {
        if (findings.Count == 0) return;
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var transaction = write.BeginTransaction();
        foreach (var finding in findings) await UpsertAsync(write.Connection, finding, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FindingRecord>> ListOpenFindingsAsync(CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        return await ReadFindingsAsync(Command(read.Connection, "SELECT record FROM findings WHERE status <> 'CLOSED'"), cancellationToken);
    }

    public async Task<IReadOnlyList<FindingRecord>> GetFindingsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        var parameters = ids.Select((id, i) => ($"$id{i}", (object?)id)).ToArray();
        await using var read = _database.OpenForRead(_work);
        return await ReadFindingsAsync(
            Command(read.Connection, $"SELECT record FROM findings WHERE id IN ({string.Join(", ", parameters.Select(p => p.Item1))})", parameters),
            cancellationToken);
    }

    public async Task<FindingsPage> QueryAsync(ListFindings query, CancellationToken cancellationToken = default)
    {
        var (where, parameters) = Where(query.Filter);
        var column = SortColumn(query.SortBy);
        var (op, direction) = query.SortOrder == SortOrder.ASC ? (">", "ASC") : ("<", "DESC");
        if (query.NextToken is not null)
        {
            var (value, id) = FindingPageToken.Decode(query.NextToken, query.SortBy, query.SortOrder);
            object typed = FindingPageToken.IsNumeric(query.SortBy) ? long.Parse(value, CultureInfo.InvariantCulture) : value;
            where += $" AND ({column} {op} $after OR ({column} = $after AND id {op} $afterId))";
            parameters.Add(("$after", typed));
            parameters.Add(("$afterId", id));
        }
        parameters.Add(("$limit", query.MaxResults + 1));
        await using var read = _database.OpenForRead(_work);
        var rows = await ReadFindingsAsync(
            Command(read.Connection, $"SELECT record FROM findings WHERE {where} ORDER BY {column} {direction}, id {direction} LIMIT $limit", [.. parameters]),
            cancellationToken);
        var page = rows.Take(query.MaxResults).ToList();
        var next = rows.Count > query.MaxResults
            ? FindingPageToken.Encode(query.SortBy, query.SortOrder, FindingPageToken.SortValue(page[^1], query.SortBy), page[^1].Id)
            : null;
        return new FindingsPage(page.Select(f => f.ToDetail()).ToList(), next);
    }

    public async Task<IReadOnlyList<FindingCountRow>> CountAsync(FindingFilter filter, FindingCountKey key, CancellationToken cancellationToken = default)
    {
        var (where, parameters) = Where(filter);
        var keyColumn = key switch
        {
            FindingCountKey.LayerHash => "layer_hash",
            FindingCountKey.PackageName => "package_name",
            FindingCountKey.VulnerabilityId => "vulnerability_id",
            _ => "NULL",
        };
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, $"""
            SELECT registry, repository, digest, {keyColumn}, severity, fix_available, COUNT(*) FROM findings WHERE {where}
            GROUP BY registry, repository, digest, {keyColumn}, severity, fix_available
            """, [.. parameters]);
        var rows = new List<FindingCountRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new FindingCountRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                Enum.Parse<FindingSeverity>(reader.GetString(4)), Enum.Parse<FixAvailable>(reader.GetString(5)), reader.GetInt64(6)));
        return rows;
    }

    public async Task<ImageInventory?> GetInventoryAsync(string imageKey, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, "SELECT inventory FROM images WHERE image_key = $key", ("$key", imageKey));
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize<ImageInventory>(json, FindingsJson.Options)
            : null;
    }

    public async Task SaveRuleAsync(SuppressionRule rule, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            INSERT INTO suppression_rules (id, created_at, record) VALUES ($id, $at, $record)
            ON CONFLICT (id) DO UPDATE SET record = excluded.record;
            """, ("$id", rule.Id), ("$at", rule.CreatedAt.ToUnixTimeMilliseconds()), ("$record", JsonSerializer.Serialize(rule, FindingsJson.Options)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, "DELETE FROM suppression_rules WHERE id = $id", ("$id", id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<SuppressionRule>> ListRulesAsync(CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, "SELECT record FROM suppression_rules ORDER BY created_at, id");
        var rules = new List<SuppressionRule>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rules.Add(JsonSerializer.Deserialize<SuppressionRule>(reader.GetString(0), FindingsJson.Options)!);
        return rules;
    }

    private static async Task UpsertAsync(SqliteConnection connection, FindingRecord f, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, """
            INSERT INTO findings (id, image_key, registry, repository, digest, vulnerability_id, package_name, layer_hash, severity, severity_rank,
                status, fix_available, first_observed_at, last_observed_at, updated_at, record)
            VALUES ($id, $image, $registry, $repository, $digest, $vuln, $package, $layer, $severity, $rank, $status, $fix, $first, $last, $updated, $record)
            ON CONFLICT (id) DO UPDATE SET registry = excluded.registry, repository = excluded.repository, digest = excluded.digest,
                vulnerability_id = excluded.vulnerability_id, package_name = excluded.package_name, layer_hash = excluded.layer_hash,
                severity = excluded.severity, severity_rank = excluded.severity_rank, status = excluded.status, fix_available = excluded.fix_available,
                first_observed_at = excluded.first_observed_at, last_observed_at = excluded.last_observed_at, updated_at = excluded.updated_at,
                record = excluded.record;
            """,
            ("$id", f.Id), ("$image", f.ImageKey), ("$registry", f.Image.Registry), ("$repository", f.Image.Repository), ("$digest", f.Image.Digest),
            ("$vuln", f.Finding.VulnerabilityId), ("$package", f.Finding.Package.Name), ("$layer", f.Finding.Package.LayerDigest),
            ("$severity", f.Finding.Severity.ToString()), ("$rank", FindingRecord.SeverityRank(f.Finding.Severity)), ("$status", f.Status.ToString()),
            ("$fix", f.FixAvailable.ToString()), ("$first", f.FirstObservedAt.ToUnixTimeMilliseconds()), ("$last", f.LastObservedAt.ToUnixTimeMilliseconds()),
            ("$updated", f.UpdatedAt.ToUnixTimeMilliseconds()), ("$record", JsonSerializer.Serialize(f, FindingsJson.Options)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static (string Where, List<(string, object?)> Parameters) Where(FindingFilter filter)
    {
        var clauses = new List<string> { "1 = 1" };
        var parameters = new List<(string, object?)>();
        void In<T>(string column, IReadOnlyList<T>? values)
        {
            if (values is not { Count: > 0 }) return;
            var names = values.Select((v, i) => { var n = $"${column}{i}"; parameters.Add((n, v!.ToString())); return n; });
            clauses.Add($"{column} IN ({string.Join(", ", names)})");
        }
        void Equal(string column, string? value)
        {
            if (value is null) return;
            clauses.Add($"{column} = ${column}");
            parameters.Add(($"${column}", value));
        }
        In("severity", filter.Severities);
        In("status", filter.Statuses);
        Equal("vulnerability_id", filter.VulnerabilityId);
        Equal("package_name", filter.PackageName);
        Equal("registry", filter.Registry);
        Equal("digest", filter.ImageDigest);
        Equal("fix_available", filter.FixAvailable?.ToString());
        Equal("layer_hash", filter.LayerHash);
        In("repository", filter.Repositories);
        In("digest", filter.ImageDigests);
        if (filter.Repository is { } repository)
        {
            if (repository.EndsWith('*'))
            {
                // substr comparison, not LIKE: repository names may hold '_' which LIKE treats as a wildcard.
                clauses.Add("substr(repository, 1, length($repositoryPrefix)) = $repositoryPrefix");
                parameters.Add(("$repositoryPrefix", repository[..^1]));
            }
            else Equal("repository", repository);
        }
        return (string.Join(" AND ", clauses), parameters);
    }

    private static string SortColumn(FindingSortField field) => field switch
    {
        FindingSortField.SEVERITY => "severity_rank",
        FindingSortField.LAST_OBSERVED_AT => "last_observed_at",
        FindingSortField.FIRST_OBSERVED_AT => "first_observed_at",
        FindingSortField.UPDATED_AT => "updated_at",
        FindingSortField.VULNERABILITY_ID => "vulnerability_id",
        FindingSortField.ECR_IMAGE_REPOSITORY_NAME => "repository",
        FindingSortField.FINDING_STATUS => "status",
        FindingSortField.ECR_IMAGE_REGISTRY => "registry",
        FindingSortField.FINDING_ARN => "id",
        _ => "package_name",
    };

    private static async Task<List<FindingRecord>> ReadFindingsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            var rows = new List<FindingRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(JsonSerializer.Deserialize<FindingRecord>(reader.GetString(0), FindingsJson.Options)
                         ?? throw new InvalidDataException("A stored finding is empty."));
            return rows;
        }
    }

    /// <summary>A command in the connection's current transaction, if any (CreateCommand enlists it).</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
