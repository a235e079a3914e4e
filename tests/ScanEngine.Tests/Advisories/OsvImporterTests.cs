using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Advisories;

public class OsvImporterTests
{
    private const int GoRecords = 4291;
    private const int GoWithdrawn = 17;

    private string workDirectory = null!;
    private SqliteAdvisoryStore store = null!;

    private static string GoZip => Corpus.PathOf("feeds", "go-vulndb-osv.zip");

    [SetUp]
    public void SetUp()
    {
        workDirectory = Path.Combine(Path.GetTempPath(), "osv-importer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDirectory);
        store = new SqliteAdvisoryStore(Path.Combine(workDirectory, "advisories.db"));
    }

    [TearDown]
    public void TearDown()
    {
        store.Dispose();
        Directory.Delete(workDirectory, recursive: true);
    }

    /// <summary>A directory holding copies of corpus folders (no id appears twice across them).</summary>
    private string CopyOfCorpus(params string[] folders)
    {
        var target = Path.Combine(workDirectory, "osv");
        foreach (var folder in folders)
        {
            var source = Corpus.PathOf("osv", folder);
            foreach (var file in Directory.EnumerateFiles(source, "*.json", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(target, folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
        return target;
    }

    [Test]
    public async Task The_go_vulndb_feed_imports_whole_and_fast_and_again_as_unchanged()
    {
        var watch = Stopwatch.StartNew();
        var first = await new OsvImporter(store).ImportZipFileAsync(GoZip);
        var firstTime = watch.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(first.Failures, Is.Empty);
            Assert.That(first.Added, Is.EqualTo(GoRecords));
            Assert.That(first.Total, Is.EqualTo(GoRecords));
            Assert.That(first.Withdrawn, Has.Count.EqualTo(GoWithdrawn));
            Assert.That(first.NewOrChanged, Has.Count.EqualTo(GoRecords - GoWithdrawn));
            Assert.That(first.NewOrChanged.Count(a => a.Aliases.Count > 0), Is.LessThanOrEqualTo(4277));
            Assert.That(first.NewOrChanged.Select(a => a.Id), Is.Unique);
            Assert.That(firstTime, Is.LessThan(TimeSpan.FromSeconds(60)), "a bulk import of thousands must be fast");
        });
        Assert.That(await store.CountAsync(), Is.EqualTo(GoRecords));
        TestContext.Out.WriteLine($"go-vulndb: {GoRecords} records imported in {firstTime.TotalSeconds:F1} s");

        var gin = await store.FindByPackageAsync("Go", "github.com/gin-gonic/gin");
        Assert.That(gin.Select(a => a.Id), Does.Contain("GO-2020-0001"));

        var second = await new OsvImporter(store).ImportZipFileAsync(GoZip);
        Assert.Multiple(() =>
        {
            Assert.That(second.Unchanged, Is.EqualTo(GoRecords));
            Assert.That(second.Added + second.Changed + second.MetadataChanged + second.Failed, Is.Zero);
            Assert.That(second.NewOrChanged, Is.Empty);
            Assert.That(second.Withdrawn, Is.Empty);
        });
    }

    [Test]
    public async Task A_zip_from_a_non_seekable_stream()
    {
        await using var file = File.OpenRead(GoZip);
        await using var forwardOnly = new ForwardOnlyStream(file);
        var result = await new OsvImporter(store).ImportZipAsync(forwardOnly);
        Assert.That(result.Added, Is.EqualTo(GoRecords));
        Assert.That(result.Failed, Is.Zero);
    }

    [Test]
    public async Task The_corpus_osv_folders_import_from_a_directory()
    {
        var result = await new OsvImporter(store).ImportDirectoryAsync(OsvCorpus.OsvRoot);
        var ids = OsvCorpus.AllFiles().Select(f => JsonNode.Parse(File.ReadAllText(f))!["id"]!.GetValue<string>()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Total, Is.EqualTo(589));
            Assert.That(result.Added, Is.EqualTo(ids.Distinct().Count()));
            Assert.That(result.NewOrChanged.Select(a => a.Id), Is.Unique);
        });
        Assert.That(await store.CountAsync(), Is.EqualTo(ids.Distinct().Count()));
    }

    [Test]
    public async Task Re_import_is_unchanged_an_edited_range_is_changed_and_metadata_is_not_a_new_cve()
    {
        var directory = CopyOfCorpus("debian", "ghsa", "alpine", "ubuntu");
        var importer = new OsvImporter(store);
        var first = await importer.ImportDirectoryAsync(directory);
        Assert.That(first.Added, Is.EqualTo(36));
        Assert.That(first.Withdrawn, Has.Count.EqualTo(3), "three Ubuntu records of the corpus are withdrawn");

        var again = await importer.ImportDirectoryAsync(directory);
        Assert.That(again.Unchanged, Is.EqualTo(36));
        Assert.That(again.NewOrChanged, Is.Empty);

        var dla = Path.Combine(directory, "debian", "DLA-3008-1.json");
        var node = JsonNode.Parse(File.ReadAllText(dla))!;
        node["affected"]![0]!["ranges"]![0]!["events"]![1]!["fixed"] = "1.1.0l-1~deb9u7";
        File.WriteAllText(dla, node.ToJsonString());
        var dsa = Path.Combine(directory, "debian", "DSA-3029-1.json");
        var dsaNode = JsonNode.Parse(File.ReadAllText(dsa))!;
        dsaNode["summary"] = "nginx - security update, revised";
        File.WriteAllText(dsa, dsaNode.ToJsonString());

        var third = await importer.ImportDirectoryAsync(directory);
        Assert.Multiple(() =>
        {
            Assert.That(third.Changed, Is.EqualTo(1));
            Assert.That(third.MetadataChanged, Is.EqualTo(1));
            Assert.That(third.Unchanged, Is.EqualTo(34));
            Assert.That(third.NewOrChanged.Select(a => a.Id), Is.EqualTo(new[] { "DLA-3008-1" }));
            Assert.That(third.NewOrChanged[0].Affected[0].Ranges[0].Events[1].Version, Is.EqualTo("1.1.0l-1~deb9u7"));
        });
    }

    [Test]
    public async Task A_corrupt_file_is_recorded_and_the_import_goes_on()
    {
        var directory = CopyOfCorpus("debian");
        File.WriteAllText(Path.Combine(directory, "debian", "broken.json"), "{\"id\": \"DLA-9999-1\", \"affected\": [");
        File.WriteAllText(Path.Combine(directory, "debian", "array.json"), "[]");
        File.WriteAllText(Path.Combine(directory, "debian", "notes.txt"), "not json, not imported");

        var result = await new OsvImporter(store).ImportDirectoryAsync(directory);

        Assert.That(result.Added, Is.EqualTo(6));
        Assert.That(result.Failures.Select(f => f.Name), Is.EquivalentTo(new[] { "debian/broken.json", "debian/array.json" }));
        Assert.That(result.Failures.Single(f => f.Name == "debian/broken.json").Reason, Does.StartWith("Invalid JSON"));
        Assert.That(result.Failures.Single(f => f.Name == "debian/array.json").Reason, Does.Contain("root is an array"));
    }

    [Test]
    public async Task Hostile_zip_entries_are_skipped_and_names_are_only_labels()
    {
        var zipPath = Path.Combine(workDirectory, "hostile.zip");
        var dsa = OsvCorpus.Raw("debian", "DSA-3029-1");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            Write(zip, "../../../../etc/cron.d/evil.json", dsa);
            Write(zip, "big.json", "{\"id\": \"BIG-1\", \"details\": \"" + new string('A', 200_000) + "\"}");
            Write(zip, "readme.txt", "ignored");
            zip.CreateEntry("folder.json/");
        }

        var result = await new OsvImporter(store, new OsvImportOptions { MaxRecordBytes = 64 * 1024 }).ImportZipFileAsync(zipPath);

        Assert.That(result.Added, Is.EqualTo(1));
        Assert.That(result.Failures, Has.Count.EqualTo(1));
        Assert.That(result.Failures[0].Name, Is.EqualTo("big.json"));
        Assert.That(result.Failures[0].Reason, Does.StartWith("skipped"));
        Assert.That(File.Exists("/etc/cron.d/evil.json"), Is.False);
        Assert.That(await store.GetAsync("DSA-3029-1"), Is.Not.Null);
    }

    [Test]
    public async Task A_stream_that_is_not_a_zip_is_one_failure()
    {
        var result = await new OsvImporter(store).ImportZipAsync(new MemoryStream(Encoding.UTF8.GetBytes("not a zip at all")));
        Assert.That(result.Failures.Single().Reason, Does.StartWith("not a readable zip archive"));
        Assert.That(await store.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task A_single_file_and_small_batches()
    {
        var importer = new OsvImporter(store, new OsvImportOptions { BatchSize = 2 });
        var single = await importer.ImportPathAsync(OsvCorpus.PathOf("debian", "DLA-3008-1"));
        Assert.That(single.Added, Is.EqualTo(1));
        var folder = await importer.ImportPathAsync(Corpus.PathOf("osv", "debian"));
        Assert.That((folder.Added, folder.Unchanged), Is.EqualTo((5, 1)));
    }

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(content);
    }

    /// <summary>A stream that cannot seek, like an HTTP response body.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
