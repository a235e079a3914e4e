using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

[TestFixture]
public sealed class SqliteAdvisoryStoreTests : AdvisoryStoreContract
{
    private string directory = null!;
    private SqliteAdvisoryStore? store;

    protected override Task<IAdvisoryStore> CreateStoreAsync(TimeProvider clock)
    {
        directory = Path.Combine(Path.GetTempPath(), "advisory-store-tests", Guid.NewGuid().ToString("N"));
        store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"), clock);
        return Task.FromResult<IAdvisoryStore>(store);
    }

    [TearDown]
    public void DeleteDatabase()
    {
        store?.Dispose();
        store = null;
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task Data_survives_a_new_store_over_the_same_file()
    {
        var raw = OsvCorpus.Raw("debian", "DLA-3008-1");
        await Store.UpsertAsync(OsvParser.Parse(raw), raw);

        using var reopened = new SqliteAdvisoryStore(((SqliteAdvisoryStore)Store).DatabasePath);
        Assert.That(await reopened.CountAsync(), Is.EqualTo(1));
        Assert.That((await reopened.FindByPackageAsync("Debian:9", "openssl")).Single().Id, Is.EqualTo("DLA-3008-1"));
        Assert.That((await reopened.UpsertAsync(OsvParser.Parse(raw), raw)).Change, Is.EqualTo(AdvisoryChange.Unchanged));
    }

    [Test]
    public async Task The_file_is_in_WAL_mode_with_the_package_index()
    {
        await Store.CountAsync();
        await using var connection = new SqliteConnection($"Data Source={((SqliteAdvisoryStore)Store).DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo("wal"));
        command.CommandText = "EXPLAIN QUERY PLAN SELECT advisory_id FROM advisory_packages WHERE ecosystem = 'a' AND package_name = 'b'";
        await using var reader = await command.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        Assert.That(string.Join(" ", plan), Does.Contain("USING PRIMARY KEY").Or.Contain("USING INDEX").Or.Contain("USING COVERING INDEX"));
    }

    [Test]
    public async Task A_schema_1_file_gets_its_aliases_indexed_on_upgrade()
    {
        var raw = OsvCorpus.Raw("ghsa", "GHSA-45x7-px36-x8w8");
        await Store.UpsertAsync(OsvParser.Parse(raw), raw);
        var path = ((SqliteAdvisoryStore)Store).DatabasePath;
        // Make the file what schema 1 wrote: no alias rows, user_version 1.
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE advisory_aliases; PRAGMA user_version = 1;";
            await command.ExecuteNonQueryAsync();
        }

        using var upgraded = new SqliteAdvisoryStore(path);
        var found = await upgraded.FindByIdsOrAliasesAsync(["CVE-2023-48795"]);
        Assert.That(found.Select(a => a.Advisory.Id), Is.EqualTo(new[] { "GHSA-45x7-px36-x8w8" }));
    }
}
