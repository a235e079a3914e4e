using ImageScanning.ScanEngine.Model;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>One behaviour suite that every IInventoryStore implementation must pass, alone and joined with a unit of work.</summary>
public abstract class InventoryStoreContractTests
{
    /// <summary>A store on a fresh database, and that database (for units of work).</summary>
    protected abstract Task<(IInventoryStore Store, IServiceDatabase Database)> CreateAsync();

    private async Task<IInventoryStore> CreateStoreAsync() => (await CreateAsync()).Store;

    private const string CurrentVersion = "dpkg/1,os-release/1";
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T01:00:00Z");
    private static readonly Distribution Bookworm = new("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)");
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static Package Deb(string name, string version, string? source = null) => new()
    {
        Name = name, Version = version, Type = "deb", SourceName = source, SourceVersion = source is null ? null : version,
        Architecture = "amd64", FilePath = "var/lib/dpkg/status", LayerDigest = Digest('1'),
    };

    private static StoredInventory Inventory(char digest, string version = CurrentVersion, Distribution? distribution = null, params Package[] packages) =>
        new("local", "team/app", Digest(digest), version, distribution ?? Bookworm,
            packages.Length > 0 ? packages : [Deb("acl", "2.3.1-3"), Deb("libacl1", "2.3.1-3", "acl")],
            "application/vnd.oci.image.manifest.v1+json", T0);

    [Test]
    public async Task An_image_never_inventoried_has_no_inventory()
    {
        var store = await CreateStoreAsync();
        Assert.That(await store.GetAsync("local", "team/app", Digest('0')), Is.Null);
    }

    [Test]
    public async Task A_stored_inventory_round_trips_with_its_distribution_and_packages()
    {
        var store = await CreateStoreAsync();
        var inventory = Inventory('a');

        await store.SaveAsync(inventory);
        var loaded = await store.GetAsync("local", "team/app", inventory.Digest);

        Assert.That(loaded, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(loaded!.Distribution, Is.EqualTo(Bookworm));
            Assert.That(loaded.Packages, Is.EqualTo(inventory.Packages));
            Assert.That(loaded.ScannerVersion, Is.EqualTo(CurrentVersion));
            Assert.That(loaded.ManifestMediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
            Assert.That(loaded.SavedAt, Is.EqualTo(T0));
        });
    }

    [Test]
    public async Task An_inventory_without_an_operating_system_round_trips_its_null_distribution()
    {
        var store = await CreateStoreAsync();
        var jar = new Package { Name = "org.example:lib", Version = "1.0", Type = "maven", FilePath = "app/lib.jar", LayerDigest = Digest('2') };
        var inventory = Inventory('b', packages: jar) with { Distribution = null };

        await store.SaveAsync(inventory);
        var loaded = await store.GetAsync("local", "team/app", inventory.Digest);

        Assert.That(loaded!.Distribution, Is.Null);
        Assert.That(loaded.Packages, Is.EqualTo(new[] { jar }));
    }

    [Test]
    public async Task Saving_again_replaces_the_inventory_of_that_image_only()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Inventory('c'));
        await store.SaveAsync(Inventory('d'));
        var replacement = Inventory('c', "dpkg/2,os-release/1", packages: Deb("acl", "2.3.1-4"));

        await store.SaveAsync(replacement);

        var replaced = await store.GetAsync("local", "team/app", Digest('c'));
        var untouched = await store.GetAsync("local", "team/app", Digest('d'));
        Assert.That(replaced!.ScannerVersion, Is.EqualTo("dpkg/2,os-release/1"));
        Assert.That(replaced.Packages.Select(p => p.Version), Is.EqualTo(new[] { "2.3.1-4" }));
        Assert.That(untouched!.Packages, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task The_same_digest_in_another_repository_or_registry_is_another_image()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Inventory('e'));

        Assert.That(await store.GetAsync("local", "team/other", Digest('e')), Is.Null);
        Assert.That(await store.GetAsync("remote", "team/app", Digest('e')), Is.Null);
    }

    [Test]
    public async Task An_inventory_made_by_another_finder_set_is_not_current()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Inventory('f', "dpkg/0,os-release/1"));

        Assert.That(await store.GetCurrentAsync("local", "team/app", Digest('f'), CurrentVersion), Is.Null);
        Assert.That(await store.GetCurrentAsync("local", "team/app", Digest('f'), "dpkg/0,os-release/1"), Is.Not.Null);
    }

    [Test]
    public async Task A_save_in_a_unit_of_work_is_seen_by_the_work_and_stored_only_when_it_commits()
    {
        var (store, database) = await CreateAsync();
        var kept = Inventory('g');
        var dropped = Inventory('h');

        await using (var work = await database.BeginAsync())
        {
            await store.In(work).SaveAsync(dropped);
            Assert.That(await store.In(work).GetAsync("local", "team/app", dropped.Digest), Is.Not.Null, "the work reads its own write");
        } // disposed without a commit: rolled back
        await using (var work = await database.BeginAsync())
        {
            await store.In(work).SaveAsync(kept);
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.That(await store.GetAsync("local", "team/app", dropped.Digest), Is.Null);
        Assert.That((await store.GetAsync("local", "team/app", kept.Digest))!.Packages, Is.EqualTo(kept.Packages));
    }

    [Test]
    public async Task A_unit_of_work_of_another_database_is_refused()
    {
        var (store, _) = await CreateAsync();
        var (_, other) = await CreateAsync();
        await using var work = await other.BeginAsync();

        Assert.That(() => store.In(work), Throws.ArgumentException);
    }
}

public sealed class SqliteInventoryStoreTests : InventoryStoreContractTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("inventory-store-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<(IInventoryStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, $"inventories-{Guid.NewGuid():N}.db"));
        return Task.FromResult<(IInventoryStore, IServiceDatabase)>((new SqliteInventoryStore(database), database));
    }

    [Test]
    public async Task An_unreadable_row_is_reported_as_invalid_data_not_a_crash()
    {
        var path = Path.Combine(_directory, "inventories.db");
        var store = new SqliteInventoryStore(path);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO inventories VALUES ('local/team/app@sha256:x', 'v', 0, '{not json')";
            await command.ExecuteNonQueryAsync();
        }

        Assert.That(async () => await store.GetAsync("local", "team/app", "sha256:x"), Throws.TypeOf<InvalidDataException>());
    }
}

public sealed class MongoInventoryStoreTests : InventoryStoreContractTests
{
    protected override async Task<(IInventoryStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new MongoServiceDatabase(await MongoTestDatabase.CreateOrIgnoreAsync("inventories"), "inventories");
        return (new MongoInventoryStore(database), database);
    }
}
