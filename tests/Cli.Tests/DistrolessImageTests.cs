using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// `imagescan scan` of distroless-like OCI images built with umoci at test time: a Debian 12 os-release, an empty
/// <c>var/lib/dpkg/status.d/</c> and no <c>var/lib/dpkg/status</c>, with a Python dist-info and a package-lock.json.
/// The language packages are reported with a warning for the missing OS database; BASIC fails naming it.
/// </summary>
[NonParallelizable]
public sealed class DistrolessImageTests
{
    private const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    private const string PackageLock =
        "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"app\"},\"node_modules/lodash\":{\"version\":\"4.17.20\"}}}";
    private string _work = "";
    private string _advisories = "";
    private string _distroless = "";
    private string _withStatusD = "";

    [OneTimeSetUp]
    public async Task BuildImagesAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescan-distroless-").FullName;
        _advisories = Path.Combine(_work, "advisories");
        Directory.CreateDirectory(_advisories);
        File.WriteAllText(Path.Combine(_advisories, "TEST-REQUESTS.json"), Advisory("TEST-REQUESTS", "PyPI", "requests", "2.32.0", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"));
        File.WriteAllText(Path.Combine(_advisories, "TEST-LODASH.json"), Advisory("TEST-LODASH", "npm", "lodash", "4.17.21", null));
        File.WriteAllText(Path.Combine(_advisories, "TEST-SQLITE.json"), Advisory("TEST-SQLITE", "Debian:12", "sqlite3", "3.40.1-2", null));

        _distroless = (await DistrolessBuilder(_ => { }).BuildAsync("v1", Path.Combine(_work, "build-distroless"))).LayoutDirectory;
        // A real distroless per-package file (syft's test image) in status.d: the OS packages are inventoried after all.
        var sqlite = File.ReadAllText(Corpus.PathOf("inventory", "dpkg-distroless", "syft-image-distroless-deb", "var", "lib", "dpkg", "status.d", "libsqlite3-0"));
        _withStatusD = (await DistrolessBuilder(r => r.WriteFile("var/lib/dpkg/status.d/libsqlite3-0", sqlite))
            .BuildAsync("v1", Path.Combine(_work, "build-status-d"))).LayoutDirectory;
    }

    private static TestImageBuilder DistrolessBuilder(Action<RootfsEditor> statusD) => TestImages.Builder()
        .Layer(r =>
        {
            r.WriteFile("usr/lib/os-release", OsRelease).Symlink("etc/os-release", "../usr/lib/os-release");
            Directory.CreateDirectory(r.PathOf("var/lib/dpkg/status.d"));
            statusD(r);
        })
        .Layer(r => r.WriteFile("usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n")
            .WriteFile("app/package-lock.json", PackageLock));

    [OneTimeTearDown]
    public void CleanUp() => Directory.Delete(_work, recursive: true);

    private static string Advisory(string id, string ecosystem, string package, string fixedIn, string? cvss)
    {
        var record = new JsonObject
        {
            ["id"] = id,
            ["modified"] = "2026-11-28T00:00:00Z",
            ["summary"] = $"{package} - test advisory",
            ["affected"] = new JsonArray(new JsonObject
            {
                ["package"] = new JsonObject { ["ecosystem"] = ecosystem, ["name"] = package },
                ["ranges"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ECOSYSTEM",
                    ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = fixedIn }),
                }),
            }),
        };
        if (cvss is not null) record["severity"] = new JsonArray(new JsonObject { ["type"] = "CVSS_V3", ["score"] = cvss });
        return record.ToJsonString();
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await new ImageScanCommand(stdout, stderr, interactive: false).ExecuteAsync(CliRun.WithFreshCache(args), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task The_os_and_language_packages_are_reported_with_a_warning_for_the_missing_os_database()
    {
        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_distroless}:v1", "--advisories", _advisories, "--format", "json");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        var report = JsonNode.Parse(stdout)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((string?)report["os"]!["id"], Is.EqualTo("debian"));
            Assert.That((string?)report["os"]!["versionId"], Is.EqualTo("12"));
            Assert.That(report["packages"]!.AsArray().Select(p => ((string?)p!["ecosystem"], (string?)p["name"], (string?)p["path"])), Is.EquivalentTo(new[]
            {
                ("PyPI", "requests", "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"),
                ("npm", "lodash", "app/package-lock.json"),
            }));
            Assert.That(report["findings"]!.AsArray().Select(f => ((string?)f!["vulnerabilityId"], (string?)f["severity"])),
                Is.EqualTo(new[] { ("TEST-REQUESTS", "HIGH"), ("TEST-LODASH", "UNTRIAGED") }));
            var warnings = report["warnings"]!.AsArray();
            Assert.That(warnings.Select(w => (string?)w!["path"]), Is.EqualTo(new[] { "var/lib/dpkg/status" }));
            Assert.That((string?)warnings[0]!["reason"], Does.Contain("No OS package database was found for Debian GNU/Linux 12 (bookworm)")
                .And.Contain("OS packages were not inventoried").And.Contain("2 language packages were"));
            Assert.That(stderr.TrimEnd(), Does.StartWith("imagescan: warning: var/lib/dpkg/status was not read: No OS package database was found"));
        });
    }

    [Test]
    public async Task Fail_on_still_sees_the_language_findings()
    {
        var (exit, _, stderr) = await RunAsync("scan", $"oci:{_distroless}:v1", "--advisories", _advisories, "--fail-on", "high");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.FindingsAtThreshold), stderr);
    }

    [Test]
    public async Task A_basic_scan_exits_2_naming_the_missing_os_database()
    {
        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_distroless}:v1", "--advisories", _advisories, "--scan-type", "basic", "--format", "json");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("Debian GNU/Linux 12 (bookworm), but no OS package database (var/lib/dpkg/status) was found")
            .And.Contain("An ENHANCED scan reports its language packages"));
    }

    [TestCase("enhanced", 3)]
    [TestCase("basic", 1)]
    public async Task Status_d_entries_are_the_os_database_of_a_real_distroless_image(string scanType, int packages)
    {
        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_withStatusD}:v1", "--advisories", _advisories, "--scan-type", scanType, "--format", "json");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        var report = JsonNode.Parse(stdout)!.AsObject();
        Assert.That(report["packages"]!.AsArray(), Has.Count.EqualTo(packages));
        Assert.That(report["packages"]!.AsArray().Where(p => (string?)p!["ecosystem"] == "Debian:12").Select(p => ((string?)p!["name"], (string?)p["path"])),
            Is.EqualTo(new[] { ("libsqlite3-0", "var/lib/dpkg/status.d/libsqlite3-0") }));
        Assert.That(report["findings"]!.AsArray().Select(f => (string?)f!["vulnerabilityId"]), Does.Contain("TEST-SQLITE"));
        Assert.That(report["warnings"]!.AsArray(), Is.Empty, "the OS database is there");
        Assert.That(stderr, Is.Empty);
    }
}
