using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// `imagescan scan` on every kind of target, built from real data: the corpus's Debian 12 dpkg status
/// and real OCI images made with umoci and converted or pushed with skopeo.
/// </summary>
[NonParallelizable]
public sealed class ImageScanCommandTests
{
    private const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    private string _work = "";
    private string _rootfs = "";
    private string _advisories = "";
    private string _layout = "";
    private RegistryServer _registry = null!;
    private PushedImage _pushed = null!;

    [OneTimeSetUp]
    public async Task BuildTargetsAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescan-cli-tests-").FullName;
        var status = File.ReadAllText(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _rootfs = Path.Combine(_work, "rootfs");
        new RootfsEditor(_rootfs).WriteFile("usr/lib/os-release", OsRelease).Symlink("etc/os-release", "../usr/lib/os-release").WriteFile("var/lib/dpkg/status", status);

        _advisories = Path.Combine(_work, "advisories");
        Directory.CreateDirectory(_advisories);
        // Real Debian OSV shape; acl 2.3.1-3 and util-linux 2.38.1-5 are in the corpus status file.
        File.WriteAllText(Path.Combine(_advisories, "TEST-ACL.json"), Advisory("TEST-ACL", "acl", ("introduced", "0"), ("fixed", "2.3.1-3+deb12u1"), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
        File.WriteAllText(Path.Combine(_advisories, "TEST-UTIL.json"), Advisory("TEST-UTIL", "util-linux", ("introduced", "0"), ("fixed", "2.38.1-6"), null));
        File.WriteAllText(Path.Combine(_advisories, "TEST-OLD.json"), Advisory("TEST-OLD", "acl", ("introduced", "0"), ("fixed", "2.2.0-1"), null));

        var image = await TestImages.Builder()
            .Layer(r => r.WriteFile("usr/lib/os-release", OsRelease).Symlink("etc/os-release", "../usr/lib/os-release"))
            .Layer(r => r.WriteFile("var/lib/dpkg/status", status))
            .BuildAsync("v1", Path.Combine(_work, "build"));
        _layout = image.LayoutDirectory;
        await ProcessRunner.RunAsync("skopeo", ["copy", "--quiet", image.Reference, $"oci-archive:{Path.Combine(_work, "image.oci.tar")}"], TimeSpan.FromMinutes(2));
        await ProcessRunner.RunAsync("skopeo", ["copy", "--quiet", image.Reference, $"docker-archive:{Path.Combine(_work, "image.docker.tar")}:test/app:v1"], TimeSpan.FromMinutes(2));
        _registry = await RegistryServer.StartAsync();
        _pushed = await TestImages.PushAsync(image, _registry, "team/app", "v1");
    }

    [OneTimeTearDown]
    public async Task CleanUpAsync()
    {
        if (_registry is not null) await _registry.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private static string Advisory(string id, string package, (string, string) introduced, (string, string) fixedOrLast, string? cvss)
    {
        var record = new JsonObject
        {
            ["id"] = id,
            ["modified"] = "2026-11-28T00:00:00Z",
            ["upstream"] = new JsonArray("CVE-2099-" + id.Length),
            ["summary"] = $"{package} - test advisory",
            ["affected"] = new JsonArray(new JsonObject
            {
                ["package"] = new JsonObject { ["ecosystem"] = "Debian:12", ["name"] = package },
                ["ranges"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ECOSYSTEM",
                    ["events"] = new JsonArray(new JsonObject { [introduced.Item1] = introduced.Item2 }, new JsonObject { [fixedOrLast.Item1] = fixedOrLast.Item2 }),
                }),
            }),
        };
        if (cvss is not null) record["severity"] = new JsonArray(new JsonObject { ["type"] = "CVSS_V3", ["score"] = cvss });
        return record.ToJsonString();
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await new ImageScanCommand(stdout, stderr, interactive: false).ExecuteAsync(CliRun.WithFreshCache(args), CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Target(string kind) => kind switch
    {
        "dir" => "dir:" + _rootfs,
        "oci" => $"oci:{_layout}:v1",
        "oci-archive" => "oci-archive:" + Path.Combine(_work, "image.oci.tar"),
        "docker-archive" => "docker-archive:" + Path.Combine(_work, "image.docker.tar"),
        _ => $"docker://{_registry.HostPort}/team/app:v1",
    };

    [TestCase("dir")]
    [TestCase("oci")]
    [TestCase("oci-archive")]
    [TestCase("docker-archive")]
    [TestCase("registry")]
    public async Task Every_target_kind_yields_the_same_packages_and_findings(string kind)
    {
        var (exit, stdout, stderr) = await RunAsync("scan", Target(kind), "--advisories", _advisories, "--format", "json", "--insecure");

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        var report = JsonNode.Parse(stdout)!.AsObject();
        var findings = report["findings"]!.AsArray();
        var packages = report["packages"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((int?)report["schemaVersion"], Is.EqualTo(1));
            Assert.That((string?)report["os"]!["id"], Is.EqualTo("debian"));
            Assert.That((string?)report["os"]!["versionId"], Is.EqualTo("12"));
            Assert.That(packages, Has.Count.EqualTo(7), "the corpus status file holds 7 installed packages");
            Assert.That(findings.Select(f => ((string?)f!["vulnerabilityId"], (string?)f["package"]!["name"])),
                Is.EquivalentTo(new[] { ("TEST-ACL", "acl"), ("TEST-ACL", "libacl1"), ("TEST-UTIL", "util-linux-extra") }));
            var acl = findings.First(f => (string?)f!["package"]!["name"] == "acl")!;
            Assert.That((string?)acl["severity"], Is.EqualTo("CRITICAL"));
            Assert.That((string?)acl["fixedInVersion"], Is.EqualTo("2.3.1-3+deb12u1"));
            Assert.That((string?)acl["package"]!["ecosystem"], Is.EqualTo("Debian:12"));
            Assert.That((string?)acl["package"]!["purl"], Does.StartWith("pkg:deb/debian/acl@2.3.1-3"));
            Assert.That((string?)acl["path"], Is.EqualTo("var/lib/dpkg/status"));
            Assert.That((string?)acl["layer"], kind == "dir" ? Is.EqualTo("rootfs") : Does.Match("^sha256:[a-f0-9]{64}$"));
            Assert.That(stderr, Is.Empty, "nothing but the report when not on a terminal");
        });
    }

    [Test]
    public async Task Fail_on_sets_the_exit_code_by_the_highest_severity()
    {
        var critical = await RunAsync("scan", Target("dir"), "--advisories", _advisories, "--fail-on", "critical", "--format", "json");
        var basic = await RunAsync("scan", Target("dir"), "--advisories", Path.Combine(_advisories, "TEST-UTIL.json"), "--fail-on", "LOW", "--format", "json");

        Assert.That(critical.Exit, Is.EqualTo(ImageScanCommand.FindingsAtThreshold));
        Assert.That(basic.Exit, Is.EqualTo(ImageScanCommand.Clean), "util-linux's advisory has no severity: UNTRIAGED is below LOW");
    }

    [Test]
    public async Task Sarif_has_one_result_per_vulnerable_package_and_one_rule_per_vulnerability()
    {
        var (exit, stdout, _) = await RunAsync("scan", Target("oci"), "--advisories", _advisories, "--format", "sarif");
        var sarif = JsonNode.Parse(stdout)!;

        Assert.That(exit, Is.EqualTo(0));
        Assert.That((string?)sarif["version"], Is.EqualTo("2.1.0"));
        var run = sarif["runs"]![0]!;
        Assert.That(run["results"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(run["tool"]!["driver"]!["rules"]!.AsArray().Select(r => (string?)r!["id"]), Is.EquivalentTo(new[] { "TEST-ACL", "TEST-UTIL" }));
        Assert.That((string?)run["results"]![0]!["level"], Is.EqualTo("error"));
    }

    [Test]
    public async Task CycloneDx_lists_components_and_vulnerabilities_that_reference_them()
    {
        var output = Path.Combine(_work, "bom.json");
        var (exit, stdout, _) = await RunAsync("scan", Target("docker-archive"), "--advisories", _advisories, "--format", "cyclonedx", "--output", output);
        var bom = JsonNode.Parse(File.ReadAllText(output))!;

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout, Is.Empty, "--output takes the report off standard output");
        Assert.That((string?)bom["bomFormat"], Is.EqualTo("CycloneDX"));
        Assert.That((string?)bom["specVersion"], Is.EqualTo("1.5"));
        var refs = bom["components"]!.AsArray().Select(c => (string?)c!["bom-ref"]).ToHashSet();
        Assert.That(refs, Has.Count.EqualTo(7));
        var affected = bom["vulnerabilities"]!.AsArray().SelectMany(v => v!["affects"]!.AsArray().Select(a => (string?)a!["ref"])).ToList();
        Assert.That(affected, Has.Count.EqualTo(3));
        Assert.That(refs, Is.SupersetOf(affected));
    }

    [Test]
    public async Task The_table_names_each_vulnerable_package()
    {
        var (exit, stdout, _) = await RunAsync("scan", Target("dir"), "--advisories", _advisories, "--scan-type", "basic");

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("PACKAGE").And.Contain("VULNERABILITY"));
        Assert.That(stdout, Does.Contain("BASIC scan: 7 packages, 3 findings"));
        Assert.That(stdout.Split('\n').Count(l => l.StartsWith("acl ", StringComparison.Ordinal) && l.Contains("TEST-ACL")), Is.EqualTo(1));
    }

    [Test]
    public async Task A_multi_platform_tag_is_scanned_for_the_requested_platform_on_its_own_digest()
    {
        var status = File.ReadAllText(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        var arm = await TestImages.BuildAndPushAsync(TestImages.Builder().Platform("linux", "arm64")
            .Layer(r => r.WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status)), _registry, "team/multi", "arm64");
        var amd = await TestImages.BuildAndPushAsync(TestImages.Builder().Platform("linux", "amd64")
            .Layer(r => r.WriteFile("etc/os-release", OsRelease).WriteFile("var/lib/dpkg/status", status + "\n")), _registry, "team/multi", "amd64");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(
                Entry(amd.Digest, "amd64"),
                Entry(arm.Digest, "arm64")),
        };
        await TestImages.PutManifestAsync(_registry, "team/multi", "v1", "application/vnd.oci.image.index.v1+json", System.Text.Encoding.UTF8.GetBytes(index.ToJsonString()));

        var arm64 = await RunAsync("scan", $"docker://{_registry.HostPort}/team/multi:v1", "--advisories", _advisories, "--format", "json", "--insecure", "--platform", "linux/arm64");
        var byDefault = await RunAsync("scan", $"docker://{_registry.HostPort}/team/multi:v1", "--advisories", _advisories, "--format", "json", "--insecure");
        var missing = await RunAsync("scan", $"docker://{_registry.HostPort}/team/multi:v1", "--advisories", _advisories, "--insecure", "--platform", "linux/s390x");

        Assert.That((string?)JsonNode.Parse(arm64.Stdout)!["image"]!["digest"], Is.EqualTo(arm.Digest), arm64.Stderr);
        Assert.That((string?)JsonNode.Parse(byDefault.Stdout)!["image"]!["digest"], Is.EqualTo(amd.Digest), byDefault.Stderr);
        Assert.That(missing.Exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(missing.Stderr, Does.Contain("without a linux/s390x image"));

        static JsonObject Entry(string digest, string architecture) => new()
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["digest"] = digest,
            ["size"] = 0,
            ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = architecture },
        };
    }

    [Test]
    public async Task Go_binaries_are_found_by_their_content_wherever_they_are_in_enhanced_scans_only()
    {
        // Debian's umoci (installed by tests/run.sh) is a real Go program; put it where no finder looks by path.
        var root = Path.Combine(_work, "go-rootfs");
        new RootfsEditor(root).CopyDirectory(_rootfs);
        Directory.CreateDirectory(Path.Combine(root, "srv", "tools"));
        File.Copy("/usr/bin/umoci", Path.Combine(root, "srv", "tools", "umoci"));

        var enhanced = await RunAsync("scan", "dir:" + root, "--advisories", _advisories, "--format", "json");
        var basic = await RunAsync("scan", "dir:" + root, "--advisories", _advisories, "--format", "json", "--scan-type", "basic");

        var goPackages = JsonNode.Parse(enhanced.Stdout)!["packages"]!.AsArray().Where(p => (string?)p!["path"] == "srv/tools/umoci").ToList();
        Assert.That(goPackages.Select(p => (string?)p!["name"]), Does.Contain("stdlib"), enhanced.Stderr);
        Assert.That(goPackages.Select(p => (string?)p!["ecosystem"]), Is.All.EqualTo("Go"));
        Assert.That(JsonNode.Parse(basic.Stdout)!["packages"]!.AsArray().Where(p => (string?)p!["path"] == "srv/tools/umoci"), Is.Empty);
    }

    [TestCase(new string[0], "USAGE")]
    [TestCase(new[] { "scan" }, "missing required argument 'TARGET'")]
    [TestCase(new[] { "scan", "dir:/x", "--advisories", ".", "--bogus" }, "Unknown option 'bogus'")]
    [TestCase(new[] { "frobnicate" }, "Unknown command 'frobnicate'")]
    [TestCase(new[] { "scan", "dir:/nonexistent-rootfs", "--advisories", "/nonexistent-advisories" }, "No advisories at")]
    [TestCase(new[] { "scan", "ftp://x/y", "--advisories", "." }, "not a target")]
    [TestCase(new[] { "scan", "dir:/x", "--advisories", ".", "--format", "xml" }, "--format")]
    [TestCase(new[] { "scan", "dir:/x", "--advisories", ".", "--fail-on", "SEVERE" }, "--fail-on")]
    public async Task Errors_exit_2_with_a_message_on_stderr_and_nothing_on_stdout(string[] args, string message)
    {
        var (exit, stdout, stderr) = await RunAsync(args);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain(message));
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public async Task A_missing_image_is_an_error_not_an_empty_report()
    {
        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{_layout}:nope", "--advisories", _advisories);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain("no image tagged 'nope'"));
        Assert.That(stdout, Is.Empty);
    }

    /// <summary>
    /// On a terminal, the real program draws a bar per layer while it reads a big image (a pseudo-terminal made by util-linux's
    /// script); redirected, as every other test runs it, the same scan prints no escape sequence.
    /// </summary>
    [Test]
    public async Task On_a_terminal_the_scan_shows_a_bar_per_layer_and_redirected_it_stays_plain()
    {
        var testOutput = Path.GetRelativePath(Path.Combine(Corpus.RepositoryRoot, "tests", "Cli.Tests"), AppContext.BaseDirectory);
        var program = Path.Combine(Corpus.RepositoryRoot, "services", "ImageScanCli", testOutput, "imagescan.dll");
        var archive = Path.Combine(_work, "image.docker.tar");
        var cache = CliRun.NewCacheDir();
        var import = await ProcessRunner.RunAsync("dotnet", [program, "db", "import", _advisories, "--cache-dir", cache], throwOnError: false);
        Assert.That(import.ExitCode, Is.EqualTo(ImageScanCommand.Clean), import.StandardError);
        var scan = $"dotnet '{program}' scan 'docker-archive:{archive}' --cache-dir '{cache}' --output '{Path.Combine(cache, "report.txt")}'";

        var terminal = await ProcessRunner.RunAsync("script", ["--quiet", "--return", "--command", scan, "/dev/null"],
            environment: new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "120", ["LINES"] = "40" }, throwOnError: false);
        var redirected = await ProcessRunner.RunAsync("bash", ["-c", scan], throwOnError: false);

        Assert.That(terminal.ExitCode, Is.EqualTo(ImageScanCommand.Clean), terminal.StandardOutput + terminal.StandardError);
        Assert.That(terminal.StandardOutput, Does.Contain("layer 1/2").And.Contain("layer 2/2"), "a bar for each of the image's two layers");
        // Ordinal: a culture-aware search ignores control characters and would find ESC in any string.
        Assert.That(terminal.StandardOutput.Contains("\u001b[", StringComparison.Ordinal), "drawn with escape sequences");
        Assert.That(redirected.ExitCode, Is.EqualTo(ImageScanCommand.Clean), redirected.StandardError);
        Assert.That((redirected.StandardOutput + redirected.StandardError).Contains('\u001b'), Is.False, "no escape sequence when redirected");
        Assert.That(redirected.StandardOutput + redirected.StandardError, Does.Not.Contain("layer 1/2"));
        Assert.That(File.ReadAllText(Path.Combine(cache, "report.txt")), Does.Contain("TEST-ACL"), "the scan behind the bars was done");
    }

    /// <summary>
    /// A local layout whose layer files were swapped: each is a valid layer, but not the one its digest names. The digest is
    /// checked in the pass that reads the layer, and the scan fails naming the file instead of reporting another layer's packages.
    /// </summary>
    [Test]
    public async Task A_layer_file_that_is_not_what_its_digest_names_fails_the_scan()
    {
        var copy = Path.Combine(_work, "swapped-" + Guid.NewGuid().ToString("N"));
        await ProcessRunner.RunAsync("cp", ["-r", _layout, copy]);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(copy, "index.json")))!;
        var manifestDigest = (string)index["manifests"]![0]!["digest"]!;
        var manifest = JsonNode.Parse(File.ReadAllText(Blob(copy, manifestDigest)))!;
        var layers = manifest["layers"]!.AsArray().Select(l => (string)l!["digest"]!).ToList();
        Assert.That(layers, Has.Count.EqualTo(2));
        var (first, second) = (Blob(copy, layers[0]), Blob(copy, layers[1]));
        var swap = first + ".swap";
        File.Move(first, swap);
        File.Move(second, first);
        File.Move(swap, second);

        var (exit, stdout, stderr) = await RunAsync("scan", $"oci:{copy}:v1", "--advisories", _advisories);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error), stdout);
        Assert.That(stderr, Does.Contain($"does not match its digest {layers[0]}"));
        Assert.That(stdout, Is.Empty, "no report of the wrong layer's packages");
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
