using ImageScanning.ServiceDefaults.Extensions;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>Which failures are waited out (an unavailable store or broker) and for how long.</summary>
public sealed class TransientFailureTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("transient-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void A_database_locked_by_another_connection_is_a_transient_failure()
    {
        var path = Path.Combine(_directory, "locked.db");
        using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        holder.Open();
        Execute(holder, "CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);");
        using var writer = new SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=1");
        writer.Open();
        Execute(writer, "PRAGMA busy_timeout = 0;");

        var busy = Assert.Throws<SqliteException>(() => Execute(writer, "INSERT INTO t VALUES (2);"))!;
        Assert.That(TransientFailures.IsTransient(busy), Is.True, busy.Message);
        Assert.That(TransientFailures.IsTransient(new InvalidOperationException("wrapped", busy)), Is.True);
    }

    [Test]
    public void A_constraint_violation_or_a_bug_is_not_transient()
    {
        var path = Path.Combine(_directory, "unique.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "CREATE TABLE t (x UNIQUE); INSERT INTO t VALUES (1);");
        var unique = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO t VALUES (1);"))!;

        Assert.That(TransientFailures.IsTransient(unique), Is.False);
        Assert.That(TransientFailures.IsTransient(new InvalidOperationException("a bug")), Is.False);
        Assert.That(TransientFailures.IsTransient(new TimeoutException()), Is.True);
    }

    [Test]
    public void Outages_are_retried_for_the_configured_time_with_pauses_of_at_most_a_minute()
    {
        var intervals = new MessagingOptions().TransientRetryIntervals();
        Assert.That(intervals[0], Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(intervals.Max(), Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(intervals.Aggregate(TimeSpan.Zero, (a, b) => a + b), Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(intervals.SkipLast(1).Aggregate(TimeSpan.Zero, (a, b) => a + b), Is.LessThan(TimeSpan.FromMinutes(10)), "no pause more than needed");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
