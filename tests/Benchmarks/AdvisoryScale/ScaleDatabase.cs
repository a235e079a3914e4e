using System.Diagnostics;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// Builds a replicated advisory database in a SqliteAdvisoryStore file, batch by batch as OsvImporter stores them, and
/// times each batch: the parse (OsvParser, as the importer does per record) and the store call separately. The JSON
/// generation is not timed (a real import reads it from a file).
/// </summary>
public static class ScaleDatabase
{
    public sealed record ImportTimings(int Records, double ParseMs, double StoreMs, IReadOnlyList<double> BatchMs);

    /// <summary>The file the matching benchmark reuses: <c>$TMPDIR/imagescanning-advisory-scale/advisories-N.db</c>.</summary>
    public static string DefaultPath(int records) =>
        Path.Combine(Path.GetTempPath(), "imagescanning-advisory-scale", $"advisories-{records}.db");

    public static async Task<ImportTimings> BuildAsync(string path, AdvisoryReplicator replicator, int batchSize, Action<string>? progress, CancellationToken ct = default)
    {
        Delete(path);
        using var store = new SqliteAdvisoryStore(path);
        var batchMs = new List<double>();
        double parseMs = 0, storeMs = 0;
        var records = 0;
        foreach (var batch in replicator.All().Chunk(batchSize))
        {
            var parse = Stopwatch.StartNew();
            var items = batch.Select(r => (OsvParser.Parse(r.Json), r.Json)).ToList();
            parse.Stop();
            var write = Stopwatch.StartNew();
            var results = await store.UpsertManyAsync(items, ct);
            write.Stop();
            var duplicate = results.FirstOrDefault(r => r.Change != AdvisoryChange.New);
            if (duplicate is not null) throw new InvalidOperationException($"{duplicate.Id} was {duplicate.Change}, not New: the replicated ids collide");
            parseMs += parse.Elapsed.TotalMilliseconds;
            storeMs += write.Elapsed.TotalMilliseconds;
            batchMs.Add(parse.Elapsed.TotalMilliseconds + write.Elapsed.TotalMilliseconds);
            records += items.Count;
            if (records % 50_000 < batchSize) progress?.Invoke($"// {records:N0} records stored, {(parseMs + storeMs) / 1000:F1} s");
        }
        Checkpoint(path);
        return new ImportTimings(records, parseMs, storeMs, batchMs);
    }

    /// <summary>Moves the WAL into the main file and truncates it, so the file size is the database's size.</summary>
    public static void Checkpoint(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
    }

    public static long Bytes(string path) =>
        new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    public static long WalBytes(string path) => File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0;

    public static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static IReadOnlyList<(string Ecosystem, long Names, long Rows)> PackageNamesByEcosystem(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ecosystem, COUNT(DISTINCT package_name), COUNT(*) FROM advisory_packages GROUP BY ecosystem ORDER BY 3 DESC";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, long)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return rows;
    }

    public static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
    }
}
