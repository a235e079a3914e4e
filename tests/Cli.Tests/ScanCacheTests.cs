using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// `imagescan scan` on the cache: without --advisories it scans what `db import`/`db update` stored; --advisories imports
/// incrementally; the staleness guard warns or fails. The image is a root filesystem with the corpus's Debian 12 dpkg status.
/// </summary>
[NonParallelizable]
public sealed class ScanCacheTests
{
    private const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    private string rootfs = "";
    private string advisories = "";
    private string cache = "";

    [OneTimeSetUp]
    public void BuildRootfs()
    {
        var work = CliRun.NewCacheDir();
        rootfs = Path.Combine(work, "rootfs");
        new RootfsEditor(rootfs).WriteFile("usr/lib/os-release", OsRelease).Symlink("etc/os-release", "../usr/lib/os-release")
            .WriteFile("var/lib/dpkg/status", File.ReadAllText(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status")));
        advisories = Path.Combine(work, "advisories");
        Directory.CreateDirectory(advisories);
        // acl 2.3.1-3 is in the corpus status file: fixed in +deb12u1, so it is a finding.
        File.WriteAllText(Path.Combine(advisories, "TEST-ACL.json"), """
            {"id": "TEST-ACL", "modified": "2026-11-28T00:00:00Z", "summary": "acl - test advisory",
             "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
             "affected": [{"package": {"ecosystem": "Debian:12", "name": "acl"},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.1-3+deb12u1"}]}]}]}
            """);
    }

    [SetUp]
    public void NewCache() => cache = CliRun.NewCacheDir();

    private Task<(int Exit, string Stdout, string Stderr)> ScanAsync(params string[] extra) =>
        CliRun.RunAsync(["scan", "dir:" + rootfs, "--format", "json", "--cache-dir", cache, .. extra]);

    private static IEnumerable<string?> Findings(string stdout) =>
        JsonNode.Parse(stdout)!["findings"]!.AsArray().Select(f => (string?)f!["vulnerabilityId"]).Distinct();

    [Test]
    public async Task Without_a_database_or_advisories_scan_says_to_run_db_update_or_import()
    {
        var (exit, stdout, stderr) = await ScanAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain($"No advisory database in {cache}").And.Contain("imagescan db update").And.Contain("imagescan db import"));
    }

    [Test]
    public async Task Scan_uses_what_db_import_stored()
    {
        await CliRun.RunAsync("db", "import", advisories, "--cache-dir", cache);

        var (exit, stdout, stderr) = await ScanAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(Findings(stdout), Is.EqualTo(new[] { "TEST-ACL" }));
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public async Task Advisories_are_imported_into_the_cache_an_unchanged_file_is_skipped_and_a_changed_one_compared()
    {
        var mine = Path.Combine(CliRun.NewCacheDir(), "advisories");
        Directory.CreateDirectory(mine);
        var file = Path.Combine(mine, "TEST-ACL.json");
        File.Copy(Path.Combine(advisories, "TEST-ACL.json"), file);

        var first = await ScanAsync("--advisories", mine);
        var afterFirst = await SourceAsync();
        var second = await ScanAsync("--advisories", mine);
        var afterSecond = await SourceAsync();
        File.WriteAllText(file, File.ReadAllText(file).Replace("acl - test advisory", "acl - revised test advisory"));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        await ScanAsync("--advisories", mine);
        var afterEdit = await SourceAsync();
        var withoutOption = await ScanAsync();

        Assert.That(first.Exit, Is.EqualTo(ImageScanCommand.Clean), first.Stderr);
        Assert.That(Findings(second.Stdout), Is.EqualTo(Findings(first.Stdout)));
        Assert.That(Findings(withoutOption.Stdout), Is.EqualTo(new[] { "TEST-ACL" }), "the cache kept them");
        Assert.That((string?)afterFirst["name"], Is.EqualTo("file:" + mine));
        Assert.That(((long?)afterFirst["lastRun"]!["added"], (long?)afterFirst["records"]), Is.EqualTo(((long?)1, (long?)1)));
        Assert.That(((long?)afterSecond["lastRun"]!["added"], (long?)afterSecond["lastRun"]!["unchanged"], (long?)afterSecond["records"]),
            Is.EqualTo(((long?)0, (long?)0, (long?)1)), "the same directory again: not read at all");
        Assert.That((string?)afterSecond["lastChanged"], Is.EqualTo((string?)afterFirst["lastChanged"]));
        Assert.That((long?)afterEdit["lastRun"]!["metadataChanged"], Is.EqualTo(1), "an edited file is read and its record compared");
    }

    private async Task<JsonNode> SourceAsync()
    {
        var (_, status, _) = await CliRun.RunAsync("db", "status", "--format", "json", "--cache-dir", cache);
        return JsonNode.Parse(status)!["sources"]!.AsArray().Single()!;
    }

    [Test]
    public async Task No_cache_scans_only_the_advisories_and_leaves_the_cache_alone()
    {
        var (exit, stdout, stderr) = await ScanAsync("--advisories", advisories, "--no-cache");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(Findings(stdout), Is.EqualTo(new[] { "TEST-ACL" }));
        Assert.That(Directory.EnumerateFileSystemEntries(cache), Is.Empty);
    }

    [Test]
    public async Task A_database_older_than_db_max_age_warns_and_fail_on_stale_db_exits_2()
    {
        var tenDaysAgo = DateTimeOffset.UtcNow.AddDays(-10);
        await CliRun.RunAtAsync(tenDaysAgo, "db", "import", advisories, "--cache-dir", cache);

        var warned = await ScanAsync();
        var failed = await ScanAsync("--fail-on-stale-db");
        var allowed = await ScanAsync("--db-max-age", "30", "--fail-on-stale-db");

        Assert.That(warned.Exit, Is.EqualTo(ImageScanCommand.Clean));
        Assert.That(Findings(warned.Stdout), Is.EqualTo(new[] { "TEST-ACL" }));
        Assert.That(warned.Stderr, Does.StartWith($"imagescan: warning: the advisory database in {cache} was last updated {tenDaysAgo:yyyy-MM-dd}")
            .And.Contain("10 days ago (over --db-max-age 7): run `imagescan db update`"));
        Assert.That(failed.Exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(failed.Stdout, Is.Empty);
        Assert.That(failed.Stderr, Does.Contain("(--fail-on-stale-db)"));
        Assert.That(allowed.Exit, Is.EqualTo(ImageScanCommand.Clean));
        Assert.That(allowed.Stderr, Is.Empty);
    }

    /// <summary>The built program itself, as a user runs it, with redirected output: plain lines and the exit codes.</summary>
    [Test]
    public async Task The_imagescan_program_imports_and_scans_in_a_real_process()
    {
        // The program's own build output (bin/CONFIG/net10.0 beside this test's), with its own deps.json: the test directory's copy
        // would resolve its dependencies through this test's ASP.NET framework reference.
        var testOutput = Path.GetRelativePath(Path.Combine(Corpus.RepositoryRoot, "tests", "Cli.Tests"), AppContext.BaseDirectory);
        var program = Path.Combine(Corpus.RepositoryRoot, "services", "ImageScanCli", testOutput, "imagescan.dll");

        var import = await ProcessRunner.RunAsync("dotnet", [program, "db", "import", advisories, "--cache-dir", cache], throwOnError: false);
        var scan = await ProcessRunner.RunAsync("dotnet", [program, "scan", "dir:" + rootfs, "--cache-dir", cache, "--fail-on", "low"], throwOnError: false);
        var help = await ProcessRunner.RunAsync("dotnet", [program, "db", "import", "--help"], throwOnError: false);

        Assert.That(import.ExitCode, Is.EqualTo(ImageScanCommand.Clean), import.StandardError);
        Assert.That(import.StandardOutput, Does.Contain("(osv-directory): 1 records: 1 new"));
        Assert.That(import.StandardOutput.Contains('\u001b') || import.StandardError.Contains('\u001b'), Is.False, "no progress bar when redirected");
        Assert.That(scan.ExitCode, Is.EqualTo(ImageScanCommand.FindingsAtThreshold), scan.StandardError);
        Assert.That(scan.StandardOutput, Does.Contain("TEST-ACL"));
        Assert.That(help.ExitCode, Is.EqualTo(0));
        Assert.That(help.StandardOutput, Does.Contain("imagescan db import <PATH>").And.Contain("--cache-dir"));
    }
}
