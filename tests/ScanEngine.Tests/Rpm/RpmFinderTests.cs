using System.Buffers.Binary;
using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Tests.Rpm;

[TestFixture]
public sealed class RpmFinderTests
{
    private const string SqlitePath = "var/lib/rpm/rpmdb.sqlite";
    private const string NdbPath = "usr/lib/sysimage/rpm/Packages.db";
    private const string BdbPath = "var/lib/rpm/Packages";
    private static readonly RpmFinder Finder = new();

    private static LayerFiles Layer(string digest, Dictionary<string, byte[]>? files = null, string[]? whiteouts = null,
        string[]? opaque = null) => new()
    {
        Digest = digest,
        Files = files ?? [],
        Whiteouts = whiteouts ?? [],
        OpaqueDirectories = opaque ?? [],
    };

    private static List<Package> Find(params LayerFiles[] layers) => [.. Finder.Find(new ImageFiles(layers), null)];

    private static byte[] Mariner => File.ReadAllBytes(RpmDatabaseTests.Mariner);

    /// <summary>The Mariner database without the packages whose name starts with a prefix, edited with SQLite itself.</summary>
    private static byte[] MarinerWithout(string namePrefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rpm-finder-test-{Guid.NewGuid():N}.sqlite");
        try
        {
            File.WriteAllBytes(path, Mariner);
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                connection.Open();
                var doomed = new List<long>();
                using (var select = connection.CreateCommand())
                {
                    select.CommandText = "SELECT hnum, blob FROM Packages";
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                        if (RpmHeaderParser.Parse(reader.GetFieldValue<byte[]>(1)).Name.StartsWith(namePrefix, StringComparison.Ordinal))
                            doomed.Add(reader.GetInt64(0));
                }
                Assert.That(doomed, Is.Not.Empty);
                using var delete = connection.CreateCommand();
                delete.CommandText = $"PRAGMA foreign_keys=OFF; DELETE FROM Packages WHERE hnum IN ({string.Join(',', doomed)}); PRAGMA wal_checkpoint(TRUNCATE);";
                delete.ExecuteNonQuery();
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm", path + "-journal" }) File.Delete(f);
        }
    }

    [Test]
    public void Wants_only_the_database_files()
    {
        Assert.Multiple(() =>
        {
            foreach (var path in RpmFinder.DatabasePaths) Assert.That(Finder.Wants(path), Is.True, path);
            Assert.That(Finder.Wants("var/lib/rpm/Packages.db-journal"), Is.False);
            Assert.That(Finder.Wants("var/lib/rpm/rpmdb.sqlite-wal"), Is.False);
            Assert.That(Finder.Wants("var/lib/rpm/Name"), Is.False);
            Assert.That(Finder.Wants("home/user/var/lib/rpm/Packages"), Is.False);
            Assert.That(Finder.Wants("usr/share/doc/Packages"), Is.False);
            Assert.That(Finder.Wants("Packages"), Is.False);
            Assert.That(Finder.Name, Is.EqualTo("rpm"));
        });
    }

    [Test]
    public void SLE15_ndb_packages_with_source_names_versions_and_path()
    {
        var packages = Find(Layer("sha256:l0", new() { [NdbPath] = File.ReadAllBytes(RpmDatabaseTests.Sle15) }));
        Assert.That(packages, Has.Count.EqualTo(35));
        Assert.That(packages.Single(p => p.Name == "libreadline7"), Is.EqualTo(new Package
        {
            Name = "libreadline7", Version = "7.0-19.6.1", Type = "rpm", SourceName = "bash", SourceVersion = "4.4-19.6.1",
            Architecture = "x86_64", Vendor = "SUSE LLC <https://www.suse.com/>", FilePath = NdbPath, LayerDigest = "sha256:l0",
        }));
    }

    [Test]
    public void Packages_are_attributed_to_the_layer_from_which_they_were_continuously_installed()
    {
        var withoutOpenssl = MarinerWithout("openssl");
        var full = Mariner;
        var packages = Find(
            Layer("sha256:base", new() { [SqlitePath] = withoutOpenssl }),
            Layer("sha256:unrelated", new() { ["etc/hostname"] = "x"u8.ToArray() }),
            Layer("sha256:openssl", new() { [SqlitePath] = full }),
            Layer("sha256:rewrite", new() { [SqlitePath] = (byte[])full.Clone() }));

        var byLayer = packages.GroupBy(p => p.LayerDigest).ToDictionary(g => g.Key, g => g.Select(p => p.Name).ToList());
        Assert.Multiple(() =>
        {
            Assert.That(packages, Has.Count.EqualTo(129));
            Assert.That(byLayer.Keys, Is.EquivalentTo(new[] { "sha256:base", "sha256:openssl" }));
            Assert.That(byLayer["sha256:openssl"], Is.Not.Empty.And.All.StartsWith("openssl"));
            Assert.That(byLayer["sha256:base"], Has.None.StartsWith("openssl").And.Contain("glibc"));
            Assert.That(packages.All(p => p.FilePath == SqlitePath));
        });
    }

    [Test]
    public void A_removed_database_removes_its_packages_and_a_new_one_starts_over()
    {
        var deleted = Find(Layer("sha256:l0", new() { [SqlitePath] = Mariner }), Layer("sha256:l1", whiteouts: [SqlitePath]));
        var emptied = Find(Layer("sha256:l0", new() { [SqlitePath] = Mariner }), Layer("sha256:l1", opaque: ["var/lib"]));
        var readded = Find(
            Layer("sha256:l0", new() { [SqlitePath] = Mariner }),
            Layer("sha256:l1", whiteouts: ["var/lib/rpm"]),
            Layer("sha256:l2", new() { [SqlitePath] = Mariner }));
        Assert.Multiple(() =>
        {
            Assert.That(deleted, Is.Empty);
            Assert.That(emptied, Is.Empty);
            Assert.That(readded, Has.Count.EqualTo(129));
            Assert.That(readded.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:l2" }));
        });
    }

    [Test]
    public void The_most_recently_written_database_is_the_live_one()
    {
        // An image converted from Berkeley DB to SQLite keeps the old Packages file next to the new database.
        var converted = Find(
            Layer("sha256:old", new() { [BdbPath] = File.ReadAllBytes(RpmDatabaseTests.Libuuid) }),
            Layer("sha256:new", new() { [SqlitePath] = Mariner }));
        var stale = Find(
            Layer("sha256:old", new() { [SqlitePath] = Mariner }),
            Layer("sha256:new", new() { [BdbPath] = File.ReadAllBytes(RpmDatabaseTests.Libuuid) }));
        Assert.Multiple(() =>
        {
            Assert.That(converted, Has.Count.EqualTo(129));
            Assert.That(converted.Select(p => p.FilePath).Distinct(), Is.EqualTo(new[] { SqlitePath }));
            Assert.That(stale.Select(p => (p.Name, p.Version, p.SourceName, p.LayerDigest)),
                Is.EqualTo(new[] { ("libuuid", "2.32.1-42.el8_8", (string?)"util-linux", "sha256:new") }));
        });
    }

    [Test]
    public void A_corrupt_database_is_a_clear_corrupt_layer_failure()
    {
        var broken = File.ReadAllBytes(RpmDatabaseTests.Sle15)[..5000];
        var error = Assert.Throws<ScanException>(() => Find(Layer("sha256:bad", new() { [NdbPath] = broken })));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
            Assert.That(error.Message, Does.Contain("/" + NdbPath).And.Contain("sha256:bad"));
        });
    }

    /// <summary>An rpm header blob with string tags only (NAME, VERSION, RELEASE), as rpm stores imported keys.</summary>
    private static byte[] StringHeader(params (int Tag, string Value)[] tags)
    {
        var data = new List<byte>();
        var index = new List<byte>();
        foreach (var (tag, value) in tags)
        {
            foreach (var field in new[] { tag, 6, data.Count, 1 })
                index.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(field)));
            data.AddRange(Encoding.UTF8.GetBytes(value + "\0"));
        }
        var header = new List<byte>();
        header.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(tags.Length)));
        header.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(data.Count)));
        return [.. header, .. index, .. data];
    }

    [Test]
    public void Imported_signing_keys_are_not_packages()
    {
        // A SQLite database in rpm's layout holding an imported key and the real libuuid header.
        var libuuid = RpmDatabase.ReadHeaderBlobs(File.ReadAllBytes(RpmDatabaseTests.Libuuid)).Single();
        var key = StringHeader((1000, "gpg-pubkey"), (1001, "fd431d51"), (1002, "4ae0493b"));
        var path = Path.Combine(Path.GetTempPath(), $"rpm-finder-test-{Guid.NewGuid():N}.sqlite");
        byte[] database;
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL); " +
                    "INSERT INTO Packages (blob) VALUES ($key), ($libuuid);";
                create.Parameters.AddWithValue("$key", key);
                create.Parameters.AddWithValue("$libuuid", libuuid);
                create.ExecuteNonQuery();
            }
            database = File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.That(RpmDatabase.ReadHeaders(database).Select(h => h.Name), Is.EqualTo(new[] { "gpg-pubkey", "libuuid" }));
        Assert.That(Find(Layer("sha256:l0", new() { [SqlitePath] = database })).Select(p => p.Name), Is.EqualTo(new[] { "libuuid" }));
    }

    [Test]
    public void No_database_no_packages()
    {
        Assert.That(Find(Layer("sha256:l0", new() { ["etc/os-release"] = "ID=rocky"u8.ToArray() })), Is.Empty);
        Assert.That(Finder.Find(new ImageFiles([]), null), Is.Empty);
    }
}
