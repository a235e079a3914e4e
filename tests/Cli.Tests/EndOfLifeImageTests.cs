using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// `imagescan scan` of OCI images built with umoci at test time, a Debian 10 (buster, LTS ended 2024-06-30) and a Debian 12 (bookworm,
/// LTS to 2028-06-10) os-release with a dpkg database: the reports give the OS's end of life, an end-of-life one warns in Trivy's words
/// on stderr, and <c>--exit-on-eol CODE</c> exits CODE for it only; <c>--eol-data DIR</c> replaces the built-in dates.
/// </summary>
[NonParallelizable]
public sealed class EndOfLifeImageTests
{
    private const string Buster = "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\nID=debian\n";
    private const string Bookworm = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    private const string TrivysWarning = "imagescan: warning: This OS version is no longer supported by the distribution: debian 10. "
        + "The vulnerability detection may be insufficient because security updates are not provided";
    private string _work = "";
    private string _advisories = "";
    private string _buster = "";
    private string _bookworm = "";

    [OneTimeSetUp]
    public async Task BuildImagesAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescan-eol-").FullName;
        _advisories = Path.Combine(_work, "advisories");
        Directory.CreateDirectory(_advisories);
        File.WriteAllText(Path.Combine(_advisories, "TEST-BASE-FILES.json"), """
            {"id":"TEST-BASE-FILES","modified":"2026-11-28T00:00:00Z","summary":"base-files - test advisory",
             "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
             "affected":[{"package":{"ecosystem":"Debian:10","name":"base-files"},
                          "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"10.3+deb10u14"}]}]}]}
            """);
        _buster = await BuildAsync("buster", Buster, "10.3+deb10u13");
        _bookworm = await BuildAsync("bookworm", Bookworm, "12.4+deb12u5");
    }

    private async Task<string> BuildAsync(string name, string osRelease, string baseFilesVersion) =>
        (await TestImages.Builder()
            .Layer(r => r.WriteFile("usr/lib/os-release", osRelease).Symlink("etc/os-release", "../usr/lib/os-release")
                .WriteFile("var/lib/dpkg/status", $"Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: {baseFilesVersion}\n\n"))
            .BuildAsync("v1", Path.Combine(_work, "build-" + name))).LayoutDirectory;

    [OneTimeTearDown]
    public void CleanUp() => Directory.Delete(_work, recursive: true);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await new ImageScanCommand(stdout, stderr, interactive: false).ExecuteAsync(CliRun.WithFreshCache(args), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task An_end_of_life_base_image_says_so_in_the_report_and_on_stderr()
    {
        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_buster}:v1", "--advisories", _advisories, "--format", "json");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), "without --exit-on-eol the end of life is a warning: " + stderr);
        var os = JsonNode.Parse(stdout)!["os"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)os["endOfLife"], Is.EqualTo("2024-06-30"));
            Assert.That((bool?)os["eosl"], Is.True);
            Assert.That(stderr.TrimEnd(), Is.EqualTo(TrivysWarning));
            Assert.That(JsonNode.Parse(stdout)!["warnings"]!.AsArray(), Is.Empty, "no file went unread");
        });
    }

    [Test]
    public async Task The_table_gives_the_end_of_life_and_whether_it_is_reached()
    {
        var (_, buster, _) = await RunAsync("scan", $"oci:{_buster}:v1", "--advisories", _advisories);
        var (_, bookworm, stderr) = await RunAsync("scan", $"oci:{_bookworm}:v1", "--advisories", _advisories);

        Assert.That(buster, Does.StartWith($"oci:{_buster}:v1 (Debian GNU/Linux 10 (buster); end of life 2024-06-30, reached) — ENHANCED scan: 1 packages, 1 findings"));
        Assert.That(bookworm, Does.StartWith($"oci:{_bookworm}:v1 (Debian GNU/Linux 12 (bookworm); end of life 2028-06-10) — ENHANCED scan"));
        Assert.That(stderr, Is.Empty, "a supported release is no warning");
    }

    [Test]
    public async Task Exit_on_eol_exits_its_code_before_fail_on_and_only_for_an_end_of_life_release()
    {
        var (eol, _, eolStderr) = await RunAsync("scan", $"oci:{_buster}:v1", "--advisories", _advisories, "--exit-on-eol", "7", "--fail-on", "high");
        var (supported, _, stderr) = await RunAsync("scan", $"oci:{_bookworm}:v1", "--advisories", _advisories, "--exit-on-eol", "7");

        Assert.That(eol, Is.EqualTo(7), eolStderr);
        Assert.That(supported, Is.EqualTo(ImageScanCommand.Clean), stderr);
    }

    [Test]
    public async Task Eol_data_replaces_the_built_in_dates()
    {
        var feed = Path.Combine(_work, "eol-data");
        Directory.CreateDirectory(feed);
        File.WriteAllText(Path.Combine(feed, "debian.json"),
            """[{"cycle":"10","codename":"Buster","releaseDate":"2019-07-06","eol":"2022-09-10","extendedSupport":"2099-06-30","latest":"10.13"}]""");

        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_buster}:v1", "--advisories", _advisories, "--format", "json",
            "--eol-data", feed, "--exit-on-eol", "7");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That((string?)JsonNode.Parse(stdout)!["os"]!["endOfLife"], Is.EqualTo("2099-06-30"));
        Assert.That(stderr, Is.Empty);
    }

    [TestCase("0")]
    [TestCase("256")]
    public async Task Exit_on_eol_takes_an_exit_code(string code)
    {
        var (exit, _, stderr) = await RunAsync("scan", $"oci:{_buster}:v1", "--advisories", _advisories, "--exit-on-eol", code);

        Assert.That(exit, Is.Not.EqualTo(ImageScanCommand.Clean));
        Assert.That(stderr, Does.Contain("--exit-on-eol is an exit code from 1 to 255"));
    }
}
