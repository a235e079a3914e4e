using System.IO.Compression;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ImageScanning.HostileInput.Tests;

/// <summary>Package databases made to hang or exhaust the parser: an rpm SQLite view that never ends, a huge dpkg status, zip bombs.</summary>
public sealed class PackageDatabaseTests : HostileTestBase
{
    private const string RhelRelease = "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"9.3\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n";

    [Test]
    public async Task An_rpmdb_sqlite_whose_Packages_is_a_recursive_view_is_refused_naming_the_database()
    {
        var database = Path.Combine(Work, "rpmdb.sqlite");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE VIEW Packages AS
                  WITH RECURSIVE forever(hnum) AS (SELECT 1 UNION ALL SELECT hnum + 1 FROM forever)
                  SELECT hnum, zeroblob(1000) AS blob FROM forever;
                """;
            create.ExecuteNonQuery();
        }
        var layout = NewLayout().WithImage(Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", RhelRelease);
            tar.WriteFile("var/lib/rpm/rpmdb.sqlite", File.ReadAllBytes(database));
        }));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused("rpmdb.sqlite", "view");
    }

    [Test]
    public async Task A_400000_package_dpkg_status_is_scanned_in_memory_proportional_to_what_is_kept()
    {
        var status = new StringBuilder(64 * 1024 * 1024);
        for (var i = 0; i < 400_000; i++)
            status.Append("Package: pkg").Append(i).Append("\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 100\n")
                .Append("Maintainer: Nobody <nobody@example.org>\nArchitecture: amd64\nVersion: 1.0.").Append(i).Append("-1\nDescription: filler\n\n");
        var layout = NewLayout().WithImage(Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", status.ToString());
        }));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--scan-type", "basic");

        run.AssertScanned();
        Assert.That(run.Stdout, Does.Contain("BASIC scan: 400000 packages"));
    }

    [Test]
    public async Task A_zip_bomb_in_a_nested_jar_is_skipped_with_a_warning_and_the_rest_still_scanned()
    {
        // Inner jar: a MANIFEST.MF of 1 GiB of one letter (about 1 MB deflated) and no pom.properties, so the manifest is what
        // the reader must inflate to name it; the outer jar nests it eight times under different names (8 GiB inflated in all).
        var inner = new MemoryStream();
        using (var zip = new ZipArchive(inner, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var manifest = zip.CreateEntry("META-INF/MANIFEST.MF", CompressionLevel.SmallestSize).Open())
            {
                var chunk = new byte[1 << 20];
                Array.Fill(chunk, (byte)'A');
                for (var i = 0; i < 1024; i++) manifest.Write(chunk);
            }
        }
        var outer = new MemoryStream();
        using (var zip = new ZipArchive(outer, ZipArchiveMode.Create, leaveOpen: true))
            for (var i = 0; i < 8; i++)
            {
                using var entry = zip.CreateEntry($"BOOT-INF/lib/bomb-{i}.jar", CompressionLevel.NoCompression).Open();
                entry.Write(inner.ToArray());
            }
        var good = new MemoryStream();
        using (var zip = new ZipArchive(good, ZipArchiveMode.Create, leaveOpen: true))
        using (var pom = new StreamWriter(zip.CreateEntry("META-INF/maven/org.example/good/pom.properties").Open()))
            pom.Write("groupId=org.example\nartifactId=good\nversion=1.0.0\n");
        var layout = NewLayout().WithImage(Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("app/lib/bomb.jar", outer.ToArray());
            tar.WriteFile("app/lib/good.jar", good.ToArray());
        }));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertScanned();
        Assert.That(PackageNames(run), Does.Contain("org.example:good"), run.Stdout.Length > 2000 ? run.Stdout[..2000] : run.Stdout);
        // Where the report says so is its own choice (a warnings list, say); it must be outside the package list.
        var report = Report(run);
        report.Remove("packages");
        report.Remove("findings");
        Assert.That(report.ToJsonString(), Does.Contain("app/lib/bomb.jar"), "the skipped bomb is reported as a warning in the result, not only logged");
    }
}
