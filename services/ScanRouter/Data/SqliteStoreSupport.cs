using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanRouter.Data;

/// <summary>What the ScanRouter's SQLite stores share: commands, keys, and times as Unix milliseconds (UTC).</summary>
internal static class SqliteStoreSupport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A command on <paramref name="connection"/>; it joins the connection's open transaction, if any (CreateCommand does that).</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static void AddKey(SqliteCommand command, string registry, string repository, string digest)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(digest);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$digest", digest);
    }

    public static object Nullable(DateTimeOffset? value) => value is { } v ? ToMilliseconds(v) : DBNull.Value;

    public static object Nullable(string? value) => (object?)value ?? DBNull.Value;

    public static long ToMilliseconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMilliseconds(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset Round(DateTimeOffset value) => FromMilliseconds(ToMilliseconds(value));

    public static DateTimeOffset? Round(DateTimeOffset? value) => value is { } v ? Round(v) : null;
}
