using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>
/// Hostile rpm SQLite databases, built at test time: a <c>Packages</c> that is not a plain table is refused, and
/// reading a plain one is bounded in time, rows and bytes, each refusal naming its reason.
/// </summary>
[TestFixture]
public sealed class SqliteRpmDatabaseLimitTests
{
    private const string RecursiveView =
        "CREATE VIEW Packages AS WITH RECURSIVE r(hnum, blob) AS (SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob FROM r) SELECT * FROM r";

    private const string PackagesTable = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";

    private static string AmazonLinux2023 =>
        Corpus.PathOf("inventory", "rpm", "amazonlinux-2023-go-rpmdb", "var", "lib", "rpm", "rpmdb.sqlite");

    /// <summary>The bytes of a database made by running the statements, as an image would ship it.</summary>
    private static byte[] Database(params string[] statements)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rpm-limit-test-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                connection.Open();
                foreach (var statement in statements)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = statement;
                    command.ExecuteNonQuery();
                }
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A Packages table of <paramref name="rows"/> rows whose blobs are <paramref name="blobBytes"/> zero bytes.</summary>
    private static byte[] TableOf(int rows, int blobBytes) => Database(PackagesTable,
        $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO Packages (blob) SELECT zeroblob({blobBytes}) FROM n");

    private static string Refusal(byte[] content, SqliteRpmDatabaseLimits? limits = null) =>
        Assert.Throws<InvalidDataException>(() => SqliteRpmDatabase.ReadHeaderBlobs(content, limits ?? SqliteRpmDatabaseLimits.Default))!.Message;

    [Test]
    [CancelAfter(30_000)]
    public void A_recursive_Packages_view_is_refused_without_being_read()
    {
        var content = Database(RecursiveView);
        Assert.That(Refusal(content), Is.EqualTo("rpm SQLite database: Packages is a view, not a table"));
    }

    [Test]
    [CancelAfter(30_000)]
    public void A_view_spelled_in_another_case_is_refused_too()
    {
        var content = Database(RecursiveView.Replace("VIEW Packages", "VIEW packages", StringComparison.Ordinal));
        Assert.That(Refusal(content), Is.EqualTo("rpm SQLite database: Packages is a view, not a table"));
    }

    [Test]
    public void A_virtual_Packages_table_is_refused()
    {
        var content = Database("CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob)");
        Assert.That(Refusal(content), Is.EqualTo("rpm SQLite database: Packages is a virtual table, not a table"));
    }

    [Test]
    public void A_database_without_Packages_is_refused()
    {
        var content = Database("CREATE TABLE Names (key TEXT, hnum INTEGER)");
        Assert.That(Refusal(content), Is.EqualTo("rpm SQLite database: there is no Packages table"));
    }

    [Test]
    [CancelAfter(30_000)]
    public void A_read_over_the_deadline_is_interrupted_and_says_so()
    {
        // 100,000 rows take far more than one progress interval of SQLite steps; a zero deadline expires at the first look.
        var content = TableOf(rows: 100_000, blobBytes: 1);
        var limits = SqliteRpmDatabaseLimits.Default with { Deadline = TimeSpan.Zero };
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(content, limits), Is.EqualTo("rpm SQLite database: reading took longer than 0 s"));
            Assert.That(SqliteRpmDatabase.ReadHeaderBlobs(content), Has.Count.EqualTo(100_000), "within the default deadline it reads");
        });
    }

    [Test]
    public void More_rows_than_the_cap_are_refused_with_the_cap()
    {
        var content = TableOf(rows: 11, blobBytes: 1);
        var limits = SqliteRpmDatabaseLimits.Default with { MaxRows = 10 };
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(content, limits), Is.EqualTo("rpm SQLite database: Packages has more than 10 rows"));
            Assert.That(SqliteRpmDatabase.ReadHeaderBlobs(content, limits with { MaxRows = 11 }), Has.Count.EqualTo(11));
        });
    }

    [Test]
    public void More_blob_bytes_than_the_cap_are_refused_with_the_cap()
    {
        var content = TableOf(rows: 20, blobBytes: 1000);
        var limits = SqliteRpmDatabaseLimits.Default with { MaxBlobBytes = 19_999 };
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(content, limits),
                Is.EqualTo("rpm SQLite database: the header blobs are larger than the limit of 19999 bytes"));
            Assert.That(SqliteRpmDatabase.ReadHeaderBlobs(content, limits with { MaxBlobBytes = 20_000 }), Has.Count.EqualTo(20));
        });
    }

    [Test]
    public void A_generated_column_that_inflates_a_blob_beyond_the_cap_is_refused()
    {
        // A few bytes on disk, a megabyte per row once SQLite computes the column.
        var content = Database("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB GENERATED ALWAYS AS (zeroblob(1000000)) VIRTUAL)",
            "INSERT INTO Packages (hnum) VALUES (1)");
        var limits = SqliteRpmDatabaseLimits.Default with { MaxBlobBytes = 100_000 };
        Assert.That(Refusal(content, limits), Is.EqualTo("rpm SQLite database: a value is larger than the limit of 100000 bytes"));
    }

    [Test]
    public void Headers_come_in_header_number_order_even_when_hnum_is_not_the_row_id()
    {
        var content = Database("CREATE TABLE Packages (hnum INTEGER, blob BLOB)",
            "INSERT INTO Packages VALUES (3, x'03'), (1, x'01'), (2, x'02')");
        Assert.That(SqliteRpmDatabase.ReadHeaderBlobs(content).Select(blob => blob.Single()), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    private static IEnumerable<TestCaseData> CorpusDatabases()
    {
        yield return new TestCaseData(RpmDatabaseTests.Mariner).SetName("CBL-Mariner 2.0");
        yield return new TestCaseData(AmazonLinux2023).SetName("Amazon Linux 2023");
    }

    [TestCaseSource(nameof(CorpusDatabases))]
    public void A_real_database_reads_the_same_blobs_as_plain_SQLite(string path)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"rpm-limit-test-{Guid.NewGuid():N}.sqlite");
        var expected = new List<byte[]>();
        try
        {
            File.Copy(path, copy);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT blob FROM Packages ORDER BY hnum";
            using var reader = command.ExecuteReader();
            while (reader.Read()) expected.Add(reader.GetFieldValue<byte[]>(0));
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" }) File.Delete(file);
        }
        Assert.That(expected, Has.Count.GreaterThan(50));
        Assert.That(SqliteRpmDatabase.ReadHeaderBlobs(File.ReadAllBytes(path)), Is.EqualTo(expected));
    }

    [Test]
    [CancelAfter(30_000)]
    public void An_image_with_a_recursive_Packages_view_fails_its_scan_with_the_reason()
    {
        var layer = new LayerFiles
        {
            Digest = "sha256:hostile", Files = new Dictionary<string, byte[]> { ["var/lib/rpm/rpmdb.sqlite"] = Database(RecursiveView) },
            Whiteouts = [], OpaqueDirectories = [],
        };
        var error = Assert.Throws<ScanException>(() => _ = new RpmFinder().Find(new ImageFiles([layer]), null).ToList());
        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(ScanFailureKind.CorruptLayer));
            Assert.That(error.Message, Is.EqualTo("The rpm database /var/lib/rpm/rpmdb.sqlite in layer sha256:hostile cannot be read: "
                + "rpm SQLite database: Packages is a view, not a table"));
        });
    }
}
