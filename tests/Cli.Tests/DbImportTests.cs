using System.IO.Compression;
using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.Cli.Database;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>`imagescan db import` and `db status` on the corpus's real advisory files of every format, told apart by content.</summary>
[NonParallelizable]
public sealed class DbImportTests
{
    private string cache = "";
    private string work = "";

    [SetUp]
    public void SetUp()
    {
        cache = CliRun.NewCacheDir();
        work = CliRun.NewCacheDir();
    }

    private async Task<JsonObject> StatusAsync()
    {
        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "status", "--format", "json", "--cache-dir", cache);
        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    [Test]
    public async Task Re_importing_an_osv_zip_compares_every_record_and_rewrites_none()
    {
        var zip = Corpus.PathOf("feeds", "go-vulndb-osv.zip");

        var first = await CliRun.RunAsync("db", "import", zip, "--cache-dir", cache);
        var changedAt = (string?)(await StatusAsync())["sources"]![0]!["lastChanged"];
        var second = await CliRun.RunAsync("db", "import", zip, "--cache-dir", cache);

        Assert.That(first.Exit, Is.EqualTo(ImageScanCommand.Clean), first.Stderr);
        Assert.That(first.Stdout, Does.Contain($"{zip} (osv-zip): 4291 records: 4291 new, 0 changed, 0 metadata changed, 0 unchanged, 0 failed"));
        Assert.That(second.Stdout, Does.Contain("4291 records: 0 new, 0 changed, 0 metadata changed, 4291 unchanged, 0 failed"));
        var status = await StatusAsync();
        var source = status["sources"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((long?)status["advisories"], Is.EqualTo(4291));
            Assert.That((long?)status["ecosystems"]!["Go"], Is.EqualTo(4291));
            Assert.That((string?)source["name"], Is.EqualTo("file:" + zip));
            Assert.That((long?)source["records"], Is.EqualTo(4291));
            Assert.That((long?)source["lastRun"]!["unchanged"], Is.EqualTo(4291));
            Assert.That((string?)source["lastChanged"], Is.EqualTo(changedAt), "nothing was stored by the second import");
            Assert.That((long?)status["sizeBytes"], Is.GreaterThan(1_000_000));
        });
    }

    [Test]
    public async Task Every_format_is_recognised_by_its_content_and_secdb_files_are_merged()
    {
        // Renamed copies: the name must not be what tells them apart.
        var tracker = Copy(Corpus.PathOf("native", "debian-tracker", "vunnel-debian.json"), "feed-1");
        var secdb311 = Copy(Corpus.PathOf("native", "alpine-secdb", "v3.11-main.json"), "feed-2");
        var secdb312 = Copy(Corpus.PathOf("native", "alpine-secdb", "v3.12-main.json"), "feed-3");
        var secdbYaml = Copy(Corpus.PathOf("native", "alpine-secdb", "v3.15-main.yaml"), "feed-4");
        var record = Copy(Corpus.PathOf("osv", "alpine", "ALPINE-CVE-2025-26519.json"), "feed-5");
        var directory = Corpus.PathOf("osv", "debian");

        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "import", tracker, secdb311, secdb312, secdbYaml, record, directory, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        var kinds = (await StatusAsync())["sources"]!.AsArray().ToDictionary(s => (string)s!["location"]!, s => (string?)s!["kind"]);
        Assert.That(kinds, Is.EquivalentTo(new Dictionary<string, string?>
        {
            [tracker] = "debian-tracker", [secdb311] = "alpine-secdb", [secdb312] = "alpine-secdb", [secdbYaml] = "alpine-secdb",
            [record] = "osv-record", [directory] = "osv-directory",
        }));
        Assert.That(stdout, Does.Contain($"{directory} (osv-directory): 6 records: 6 new"));
        var ecosystems = (await StatusAsync())["ecosystems"]!.AsObject();
        Assert.That(ecosystems.Select(e => e.Key), Is.SupersetOf(new[] { "Alpine:v3.11", "Alpine:v3.12", "Alpine:v3.15", "Debian:9", "Debian:12" }));
    }

    /// <summary>
    /// The vendor feeds of the rpm world, read by the readers in their ecosystems' folders: the CLI knows them only through the
    /// catalog (a gzip-compressed updateinfo.xml is looked into), and their records land under the vendors' ecosystems.
    /// </summary>
    [Test]
    public async Task Vendor_feeds_the_catalog_declares_are_recognised_and_imported_compressed_or_not()
    {
        var updateinfo = Copy(Corpus.PathOf("native", "amazon-linux", "updateinfo", "updateinfo_AL2023.xml.gz"), "feed-a");
        var csaf = Copy(Corpus.PathOf("native", "redhat-csaf", "rhsa-2024_4546.json"), "feed-b");
        var vex = Copy(Corpus.PathOf("native", "redhat-vex", "cve-2023-38545.json"), "feed-c");

        var (exit, _, stderr) = await CliRun.RunAsync("db", "import", updateinfo, csaf, vex, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        var status = await StatusAsync();
        var kinds = status["sources"]!.AsArray().ToDictionary(s => (string)s!["location"]!, s => (string?)s!["kind"]);
        Assert.That(kinds, Is.EquivalentTo(new Dictionary<string, string?>
        {
            [updateinfo] = "alas-updateinfo", [csaf] = "redhat-csaf", [vex] = "redhat-vex",
        }));
        var ecosystems = status["ecosystems"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(ecosystems, Does.Contain("Amazon Linux:2023"));
        Assert.That(ecosystems.Where(e => e.StartsWith("Red Hat:", StringComparison.Ordinal)), Is.Not.Empty);
    }

    /// <summary>
    /// Two releases' secdb files naming the same CVE (built from the documented format: the corpus's Alpine files share none),
    /// imported one at a time: the record keeps both releases' entries, as CveFeed's merged feed does.
    /// </summary>
    [Test]
    public async Task Secdb_files_imported_separately_still_merge_into_one_record_per_cve()
    {
        var v318 = Path.Combine(work, "v3.18-main.json");
        var v319 = Path.Combine(work, "v3.19-main.json");
        File.WriteAllText(v318, Secdb("v3.18", "1.2.12-r0"));
        File.WriteAllText(v319, Secdb("v3.19", "1.3-r0"));

        await CliRun.RunAsync("db", "import", v318, "--cache-dir", cache);
        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "import", v319, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(stdout, Does.Contain("1 records: 0 new, 1 changed"), "the record gained v3.19's entry");
        var status = await StatusAsync();
        Assert.That((long?)status["advisories"], Is.EqualTo(1));
        Assert.That((long?)status["ecosystems"]!["Alpine:v3.18"], Is.EqualTo(1), "v3.18's entry is still there");
        Assert.That((long?)status["ecosystems"]!["Alpine:v3.19"], Is.EqualTo(1));
    }

    private static string Secdb(string release, string fixedIn) =>
        "{\"distroversion\": \"" + release + "\", \"reponame\": \"main\", \"urlprefix\": \"https://dl-cdn.alpinelinux.org/alpine\", "
        + "\"packages\": [{\"pkg\": {\"name\": \"zlib\", \"secfixes\": {\"" + fixedIn + "\": [\"CVE-2018-25032\"]}}}]}";

    [Test]
    public async Task A_cvefeed_export_bundle_is_named_by_its_archive_comment()
    {
        var bundle = Path.Combine(work, "export.zip");
        using (var zip = ZipFile.Open(bundle, ZipArchiveMode.Create))
        {
            zip.Comment = AdvisoryFileFormat.CveFeedExportComment;
            foreach (var file in Directory.GetFiles(Corpus.PathOf("osv", "ubuntu"), "*.json")) zip.CreateEntryFromFile(file, Path.GetFileName(file));
        }

        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "import", bundle, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(stdout, Does.Contain($"{bundle} (cvefeed-bundle): {Directory.GetFiles(Corpus.PathOf("osv", "ubuntu"), "*.json").Length} records"));
    }

    [Test]
    public async Task An_unrecognised_file_is_named_and_nothing_is_imported()
    {
        var notes = Path.Combine(work, "notes.txt");
        File.WriteAllText(notes, "these are not advisories\n");
        var list = Corpus.PathOf("native", "debian-tracker", "vunnel-DSA-list.txt");

        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "import", Corpus.PathOf("osv", "debian"), notes, "--cache-dir", cache);
        var dsaList = await CliRun.RunAsync("db", "import", list, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain($"{notes}: not a recognised advisory file"));
        Assert.That(stdout, Is.Empty);
        Assert.That(dsaList.Stderr, Does.Contain($"{list}: not a recognised advisory file"));
        Assert.That(AdvisoryCache.Exists(cache), Is.False, "the OSV directory before it was not imported either");
    }

    [Test]
    public async Task A_zip_without_records_or_a_damaged_one_is_named()
    {
        var empty = Path.Combine(work, "empty.zip");
        using (var zip = ZipFile.Open(empty, ZipArchiveMode.Create)) zip.CreateEntry("README.txt");
        var damaged = Path.Combine(work, "damaged.zip");
        var bytes = File.ReadAllBytes(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);

        var emptyRun = await CliRun.RunAsync("db", "import", empty, "--cache-dir", cache);
        var damagedRun = await CliRun.RunAsync("db", "import", damaged, "--cache-dir", cache);

        Assert.That((emptyRun.Exit, damagedRun.Exit), Is.EqualTo((ImageScanCommand.Error, ImageScanCommand.Error)));
        Assert.That(emptyRun.Stderr, Does.Contain($"{empty}: not a recognised advisory file (a zip without any .json entry)"));
        Assert.That(damagedRun.Stderr, Does.Contain($"{damaged}: not a recognised advisory file (a damaged zip"));
    }

    [Test]
    public async Task Status_without_a_database_says_how_to_make_one()
    {
        var (exit, _, stderr) = await CliRun.RunAsync("db", "status", "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain("run `imagescan db update`").And.Contain("imagescan db import"));
    }

    [Test]
    public async Task A_damaged_database_file_is_an_error_naming_it_not_a_crash()
    {
        File.WriteAllText(Path.Combine(cache, AdvisoryCache.DatabaseFileName), "this is not a SQLite database, it is only text");

        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "status", "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim(), Is.EqualTo("imagescan: the advisory database could not be used: SQLite Error 26: 'file is not a database'."));
    }

    [Test]
    public async Task Status_as_a_table_lists_sources_and_ecosystems()
    {
        await CliRun.RunAsync("db", "import", Corpus.PathOf("osv", "debian"), "--cache-dir", cache);

        var (exit, stdout, _) = await CliRun.RunAsync("db", "status", "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean));
        Assert.That(stdout, Does.Contain("6 advisories").And.Contain("SOURCE").And.Contain("osv-directory").And.Contain("ECOSYSTEM"));
        Assert.That(stdout.Split('\n').Any(l => l.Contains("Debian:9") && l.Contains('4')), Is.True, stdout);
    }

    private string Copy(string file, string name)
    {
        var target = Path.Combine(work, name);
        File.Copy(file, target);
        return target;
    }
}
