using System.Diagnostics;
using ImageScanning.ScanRouter.Data;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// The SQLite package index at catalog scale: 10,000 images of ~80 source packages each, drawn from a real dpkg status
/// file. Asserts correctness only; the times are printed for information.
/// </summary>
[TestFixture]
public class SqlitePackageIndexScaleTests
{
    private const string Registry = "123456789012";
    private const string Ecosystem = "Ubuntu:18.04";
    private const int ImageCount = 10_000;
    private const int PackagesPerImage = 80;
    private const int OneImageIn = 100; // the target package is in 1 % of the images

    private string _directory = null!;
    private SqlitePackageIndexStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _directory = Path.Combine(Path.GetTempPath(), "scanrouter-scale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = new SqlitePackageIndexStore(new ImageScanning.ServiceDefaults.Storage.SqliteDatabase(Path.Combine(_directory, "scanrouter.db")));
    }

    [TearDown]
    public void DeleteStore()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_package_held_by_one_percent_of_ten_thousand_images_finds_exactly_those()
    {
        var sources = SourcePackages(Corpus.PathOf("inventory", "dpkg", "ubuntu-18.04-texlive", "var", "lib", "dpkg", "status"));
        Assert.That(sources, Has.Count.GreaterThan(PackagesPerImage), "the corpus file should name enough source packages");
        var target = sources.Contains("openssl") ? "openssl" : sources[0];
        var pool = sources.Where(s => s != target).ToArray();

        var random = new Random(20251128); // seeded: the same catalog every run
        var expected = new List<ImageKey>();
        var images = new List<(ImageKey, IReadOnlyCollection<ImagePackageKey>)>(ImageCount);
        for (var i = 0; i < ImageCount; i++)
        {
            var image = new ImageKey(Registry, $"team-{i % 37}/app-{i}", "sha256:" + i.ToString("x64"));
            var keys = random.GetItems(pool, PackagesPerImage).Select(name => new ImagePackageKey(Ecosystem, name)).ToList();
            if (i % OneImageIn == 0)
            {
                keys.Add(new ImagePackageKey(Ecosystem, target));
                expected.Add(image);
            }
            images.Add((image, keys));
        }

        var insert = Stopwatch.StartNew();
        await _store.ReplaceImagePackagesAsync(images);
        insert.Stop();
        var query = Stopwatch.StartNew();
        var found = await _store.FindImagesHoldingAsync([new ImagePackageKey(Ecosystem, target)]);
        query.Stop();

        await TestContext.Out.WriteLineAsync(
            $"{ImageCount} images x ~{PackagesPerImage} of {sources.Count} source packages: insert {insert.ElapsedMilliseconds} ms, " +
            $"lookup of '{target}' {query.Elapsed.TotalMilliseconds:F1} ms, {found.Count} images");
        Assert.That(found, Is.EquivalentTo(expected));
        Assert.That(found, Has.Count.EqualTo(ImageCount / OneImageIn));
    }

    [Test]
    public void Lookup_seeks_the_package_index_instead_of_scanning_images()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "scanrouter.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqlitePackageIndexStore.FindImagesHoldingSql;
        command.Parameters.AddWithValue("$keys", """[["Ubuntu:18.04","openssl"]]""");
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) plan.Add(reader.GetString(3));
        }
        Assert.That(plan, Has.Some.Contains("USING COVERING INDEX ix_image_packages_package (ecosystem=? AND name=?)"), string.Join("\n", plan));
        Assert.That(plan, Has.None.StartsWith("SCAN p"), string.Join("\n", plan));
    }

    /// <summary>The distinct source packages of a dpkg status file ("Source: name (version)" or, absent, the package name).</summary>
    private static List<string> SourcePackages(string statusPath)
    {
        var sources = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var stanza in File.ReadAllText(statusPath).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? package = null, source = null;
            foreach (var line in stanza.Split('\n'))
            {
                if (line.StartsWith("Package: ", StringComparison.Ordinal)) package = line["Package: ".Length..].Trim();
                else if (line.StartsWith("Source: ", StringComparison.Ordinal)) source = line["Source: ".Length..].Split(' ')[0].Trim();
            }
            if ((source ?? package) is { Length: > 0 } name) sources.Add(name);
        }
        return [.. sources];
    }
}
