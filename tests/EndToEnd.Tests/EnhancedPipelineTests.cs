using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// Log4Shell through the whole pipeline: an image whose second layer ships a war holding log4j-core
/// 2.14.1, pushed to a real registry under an ENHANCED + CONTINUOUS_SCAN rule, is found vulnerable to
/// CVE-2021-44228 through the real GitHub advisory GHSA-jfh8-c2jp-5v3q, with the jar path and layer.
/// </summary>
[NonParallelizable]
public sealed class EnhancedPipelineTests
{
    private const string WebhookToken = "enhanced-webhook-token";
    private const string ApiToken = "enhanced-api-token";
    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private HttpClient _api = null!;
    private string _work = "";
    private PushedImage _image = null!;
    private JsonObject _scan = null!;

    /// <summary>
    /// A war with WEB-INF/lib/log4j-core-2.14.1.jar whose pom.properties is the one the real 2.14.1 jar
    /// carries (class files are left out: the finder reads Maven coordinates, as Trivy and Syft do).
    /// </summary>
    private static byte[] WarWithLog4j()
    {
        var jar = Zip(("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nImplementation-Title: Apache Log4j Core\r\nImplementation-Version: 2.14.1\r\n"),
            ("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
             "#Created by Apache Maven 3.6.3\nversion=2.14.1\ngroupId=org.apache.logging.log4j\nartifactId=log4j-core\n"));
        return Zip(("WEB-INF/web.xml", "<web-app/>"), ("WEB-INF/lib/log4j-core-2.14.1.jar", jar));
    }

    private static byte[] Zip(params (string Name, object Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content is string s ? Encoding.UTF8.GetBytes(s) : (byte[])content);
            }
        return buffer.ToArray();
    }

    [OneTimeSetUp]
    public async Task PushAndScanAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescanning-e2e-enhanced-").FullName;
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, Path.Combine(_work, "data"));
        _platform = await RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
        _api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

        var upload = new ByteArrayContent(await File.ReadAllBytesAsync(Corpus.PathOf("osv", "ghsa", "GHSA-jfh8-c2jp-5v3q.json")));
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var imported = await _api.PostAsync("/api/v1/advisories", upload);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());
        var put = await _api.PutAsync("/api/v1/registries/local/scanning-configuration", new StringContent(
            """{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"apps/*","filterType":"WILDCARD"}]}]}""",
            Encoding.UTF8, "application/json"));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        var status = await File.ReadAllTextAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        var war = WarWithLog4j();
        var layout = await TestImages.Builder()
            .Layer(r => r.WriteFile("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").WriteFile("var/lib/dpkg/status", status))
            .Layer(r => r.WriteFile("app/app.war", war))
            .BuildAsync("v1", Path.Combine(_work, "image"));
        _image = await TestImages.PushAsync(layout, _registry, "apps/shop", "v1");

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var response = await _api.GetAsync($"/api/v1/registries/local/findings/{_image.Repository}@{_image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                _scan = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail("No ENHANCED scan completed." + Environment.NewLine + _platform.Logs);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    [Test]
    public async Task Log4Shell_is_found_in_the_nested_jar_with_its_path_and_layer()
    {
        var layers = await DebianTestImage.LayerDigestsAsync(_registry, _image.Repository, _image.Digest);
        var finding = _scan["imageScanFindings"]!["findings"]!.AsArray().Single(f => (string?)f!["vulnerabilityId"] == "GHSA-jfh8-c2jp-5v3q")!;

        Assert.Multiple(() =>
        {
            Assert.That((string?)_scan["scanType"], Is.EqualTo("ENHANCED"));
            Assert.That(finding["aliases"]!.AsArray().Select(a => (string?)a), Does.Contain("CVE-2021-44228"));
            Assert.That((string?)finding["severity"], Is.EqualTo("CRITICAL"));
            Assert.That((string?)finding["fixedInVersion"], Is.EqualTo("2.15.0"));
            Assert.That((string?)finding["package"]!["name"], Is.EqualTo("org.apache.logging.log4j:log4j-core"));
            Assert.That((string?)finding["package"]!["version"], Is.EqualTo("2.14.1"));
            Assert.That((string?)finding["package"]!["ecosystem"], Is.EqualTo("Maven"));
            Assert.That((string?)finding["package"]!["filePath"], Is.EqualTo("app/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"));
            Assert.That((string?)finding["package"]!["layerDigest"], Is.EqualTo(layers[1]));
        });
    }

    [Test]
    public async Task Native_debian_tracker_and_alpine_secdb_documents_are_imported_through_the_upload_endpoint()
    {
        async Task<HttpResponseMessage> Upload(string format, string file)
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return await _api.PostAsync($"/api/v1/advisories?format={format}", content);
        }

        var debian = await Upload("debian-tracker", Corpus.PathOf("native", "debian-tracker", "vunnel-debian.json"));
        var alpine = await Upload("alpine-secdb", Corpus.PathOf("native", "alpine-secdb", "v3.12-main.json"));
        var unknown = await Upload("rss", Corpus.PathOf("native", "alpine-secdb", "v3.12-main.json"));
        var debianResult = (await debian.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.That(debian.StatusCode, Is.EqualTo(HttpStatusCode.OK), debianResult.ToJsonString());
        Assert.That((int?)debianResult["added"], Is.GreaterThan(0));
        Assert.That(debianResult["newOrChanged"]!.AsArray().Select(i => (string?)i), Has.Some.StartWith("DEBIAN-CVE-"));
        Assert.That(alpine.StatusCode, Is.EqualTo(HttpStatusCode.OK), await alpine.Content.ReadAsStringAsync());
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_multi_platform_push_is_scanned_per_platform_on_each_platform_digest()
    {
        var status = await File.ReadAllTextAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        const string osRelease = "ID=debian\nVERSION_ID=\"12\"\n";
        var amd = await TestImages.BuildAndPushAsync(TestImages.Builder().Platform("linux", "amd64")
            .Layer(r => r.WriteFile("etc/os-release", osRelease).WriteFile("var/lib/dpkg/status", status)), _registry, "apps/multi", "amd64");
        var arm = await TestImages.BuildAndPushAsync(TestImages.Builder().Platform("linux", "arm64")
            .Layer(r => r.WriteFile("etc/os-release", osRelease).WriteFile("var/lib/dpkg/status", status + "\n")), _registry, "apps/multi", "arm64");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(
                new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = amd.Digest, ["size"] = 0, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" } },
                new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = arm.Digest, ["size"] = 0, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "arm64" } }),
        };
        var ignoredBefore = await IgnoredWebhookEventsAsync();
        var indexDigest = await TestImages.PutManifestAsync(_registry, "apps/multi", "v1", "application/vnd.oci.image.index.v1+json", Encoding.UTF8.GetBytes(index.ToJsonString()));

        async Task<HttpStatusCode> ScanOf(string digest)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            HttpStatusCode status;
            do
            {
                status = (await _api.GetAsync($"/api/v1/registries/local/findings/apps/multi@{digest}")).StatusCode;
                if (status == HttpStatusCode.OK) break;
                await Task.Delay(300);
            } while (DateTime.UtcNow < deadline);
            return status;
        }

        Assert.That(await ScanOf(amd.Digest), Is.EqualTo(HttpStatusCode.OK), "the amd64 image is scanned on its own digest");
        Assert.That(await ScanOf(arm.Digest), Is.EqualTo(HttpStatusCode.OK), "the arm64 image is scanned on its own digest");
        // The Gateway counts the index's push notification as ignored (it sends no ImagePushed for an index): that count, not a sleep,
        // says the push was handled before the absence of a scan is checked.
        await WaitForIgnoredWebhookEventsAsync(ignoredBefore + 1);
        var indexScan = await _api.GetAsync($"/api/v1/registries/local/findings/apps/multi@{indexDigest}");
        Assert.That(indexScan.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the index itself is not an image: its platforms are scanned instead");
    }

    private async Task<long> IgnoredWebhookEventsAsync()
    {
        var metrics = await _api.GetStringAsync("/metrics");
        var match = System.Text.RegularExpressions.Regex.Match(metrics,
            "^imagescanning_gateway_webhook_events_total\\{[^}]*outcome=\"ignored\"[^}]*\\} (\\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private async Task WaitForIgnoredWebhookEventsAsync(long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await IgnoredWebhookEventsAsync() < count)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"The Gateway did not count {count} ignored webhook events (the index push)." + Environment.NewLine + _platform.Logs);
            await Task.Delay(200);
        }
    }

    [Test]
    public async Task The_initial_enhanced_scan_is_announced_as_an_inspector2_scan_event()
    {
        var events = await _api.GetFromJsonAsync<JsonArray>("/api/v1/events/scan-completed?limit=100");
        var envelope = events!.Select(e => e!.AsObject()).Single(e => (string?)e["detail"]!["image-digest"] == _image.Digest);

        Assert.That((string?)envelope["detail-type"], Is.EqualTo("Inspector2 Scan"));
        Assert.That((int?)envelope["detail"]!["finding-severity-counts"]!["CRITICAL"], Is.GreaterThanOrEqualTo(1));
    }
}
