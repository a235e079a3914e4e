using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// The Inspector-style REST API on real scans: the Debian test image pushed to two scan-on-push repositories and one
/// manual one of a real registry, scanned by the standalone platform; then findings, aggregations, suppression rules,
/// coverage, SBOM export and the open-findings metric are read back over HTTP.
/// </summary>
[NonParallelizable]
public sealed class FindingsApiTests
{
    private const string WebhookToken = "findings-webhook-token";
    private const string ApiToken = "findings-api-token";
    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private HttpClient _api = null!;
    private string _work = "";
    private TestAdvisories _advisories = null!;
    private PushedImage _web = null!;
    private PushedImage _copy = null!;
    private PushedImage _manual = null!;
    private IReadOnlyList<JsonNode> _scanned = null!;

    [OneTimeSetUp]
    public async Task PushAndScanAsync()
    {
        var image = await DebianTestImage.GetAsync();
        _advisories = new TestAdvisories(image.Packages);
        _work = Directory.CreateTempSubdirectory("imagescanning-e2e-findings-").FullName;
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, Path.Combine(_work, "data"));
        environment["Aws__AccountId"] = "123456789012";
        environment["Aws__Region"] = "eu-central-1";
        _platform = await RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
        _api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

        var upload = new ByteArrayContent(_advisories.ToZip());
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var imported = await _api.PostAsync("/api/v1/advisories", upload);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());
        var put = await _api.PutAsync("/api/v1/registries/local/scanning-configuration", Json(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"e2e/*","filterType":"WILDCARD"}]}]}"""));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        _manual = await TestImages.PushAsync(image.Layout, _registry, "manual/debian", "bookworm");
        _web = await TestImages.PushAsync(image.Layout, _registry, "e2e/web", "v1");
        _copy = await TestImages.PushAsync(image.Layout, _registry, "e2e/copy", "v1");
        _scanned = await WaitForScanAsync(_web);
        await WaitForScanAsync(_copy);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0 && _platform is not null) await TestContext.Out.WriteLineAsync(_platform.Logs);
        _api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    [Test]
    public async Task Findings_page_through_every_finding_of_both_images_with_lifecycle_fields()
    {
        var all = new List<JsonObject>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "/api/v1/findings?repository=e2e/*&sortBy=severity&sortOrder=DESC&maxResults=2" + (token is null ? "" : "&nextToken=" + Uri.EscapeDataString(token));
            var page = (await _api.GetFromJsonAsync<JsonObject>(url))!;
            all.AddRange(page["findings"]!.AsArray().Select(f => f!.AsObject()));
            token = (string?)page["nextToken"];
            pages++;
        } while (token is not null && pages < 50);

        var expected = _advisories.ExpectedFindings;
        var layers = await DebianTestImage.LayerDigestsAsync(_registry, _web.Repository, _web.Digest);
        var libc = all.Where(f => (string?)f["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["name"] == "libc6").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.EqualTo(2 * expected.Count));
            Assert.That(all.Select(f => (string?)f["findingArn"]).Distinct().Count(), Is.EqualTo(all.Count), "no finding repeats across pages");
            Assert.That(all.Select(f => (string?)f["findingArn"]), Is.All.Match("^arn:aws:inspector2:eu-central-1:123456789012:finding/[a-f0-9]{32}$"));
            Assert.That(all.Select(f => (string?)f["status"]), Is.All.EqualTo("ACTIVE"));
            Assert.That((string?)all[0]["severity"], Is.EqualTo("CRITICAL"), "sorted by severity, highest first");
            Assert.That(libc.Select(f => (string?)f["packageVulnerabilityDetails"]!["vulnerabilityId"]), Is.All.EqualTo(TestAdvisories.FixedRange));
            Assert.That(libc.Select(f => (string?)f["fixAvailable"]), Is.All.EqualTo("YES"));
            Assert.That(libc.Select(f => (string?)f["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["sourceLayerHash"]), Is.All.EqualTo(layers[0]));
            Assert.That(libc.Select(f => (string?)f["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["fixedInVersion"]),
                Is.All.EqualTo(_advisories.FixedVersionForLibc));
            Assert.That(libc.Select(f => (string?)f["resources"]![0]!["details"]!["awsEcrContainerImage"]!["repositoryName"]),
                Is.EquivalentTo(new[] { "e2e/web", "e2e/copy" }));
        });

        var less = (await _api.GetFromJsonAsync<JsonObject>(
            $"/api/v1/findings?vulnerabilityId={TestAdvisories.ExplicitVersion}&package=less&fixAvailable=NO&imageDigest={_web.Digest}&repository=e2e/web"))!;
        var untriaged = (await _api.GetFromJsonAsync<JsonObject>($"/api/v1/findings?severity=UNTRIAGED&imageDigest={_web.Digest}&repository=e2e/web"))!["findings"]!.AsArray();
        Assert.That(less["findings"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((string?)less["findings"]![0]!["severity"], Is.EqualTo("UNTRIAGED"), "BASIC's UNDEFINED reads as Inspector's UNTRIAGED");
        Assert.That(untriaged.Select(f => (string?)f!["severity"]), Is.All.EqualTo("UNTRIAGED"));
        Assert.That(untriaged.Count, Is.EqualTo(_scanned.Count(f => (string?)f["severity"] == "UNDEFINED")).And.GreaterThan(0));
        Assert.That((string?)less["findings"]![0]!["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["sourceLayerHash"], Is.EqualTo(layers[1]));
    }

    [Test]
    public async Task Aggregations_count_per_severity_by_repository_image_layer_package_and_vulnerability()
    {
        var critical = _scanned.Count(f => (string?)f["severity"] == "CRITICAL");
        var byRepository = await AggregateAsync("repository?repository=e2e/*", "repositoryAggregation");
        var byImage = await AggregateAsync("image?repository=e2e/web", "awsEcrContainerAggregation");
        var byLayer = await AggregateAsync("imageLayer?repository=e2e/web", "imageLayerAggregation");
        var byPackage = await AggregateAsync("package?repository=e2e/*", "packageAggregation");
        var byVulnerability = await AggregateAsync("vulnerability?repository=e2e/*&sortBy=CRITICAL", "titleAggregation");

        Assert.Multiple(() =>
        {
            Assert.That(byRepository.Select(r => (string?)r["repository"]), Is.EquivalentTo(new[] { "e2e/web", "e2e/copy" }));
            Assert.That(byRepository.Select(r => (long)r["severityCounts"]!["all"]!), Is.All.EqualTo(_scanned.Count));
            Assert.That(byRepository.Select(r => (long)r["severityCounts"]!["critical"]!), Is.All.EqualTo(critical));
            Assert.That(byRepository.Select(r => (long)r["affectedImages"]!), Is.All.EqualTo(1));
            Assert.That(byRepository.Select(r => (string?)r["accountId"]), Is.All.EqualTo("123456789012"));
            Assert.That((string?)byImage.Single()["imageSha"], Is.EqualTo(_web.Digest));
            Assert.That(byLayer.Sum(l => (long)l["severityCounts"]!["all"]!), Is.EqualTo(_scanned.Count));
            Assert.That(byLayer, Has.Count.EqualTo(2), "findings come from both layers of the image");
            Assert.That((long)byPackage.Single(p => (string?)p["packageName"] == "less")["severityCounts"]!["all"]!, Is.EqualTo(2));
            Assert.That((string?)byVulnerability[0]["vulnerabilityId"], Is.EqualTo(TestAdvisories.FixedRange), "sorted by CRITICAL count");
        });
    }

    [Test]
    public async Task A_suppression_rule_suppresses_matching_findings_visibly_and_deleting_it_reactivates_them()
    {
        var bad = await _api.PostAsync("/api/v1/suppression-rules", Json("""{"name":"everything","reason":"no","filter":{}}"""));
        var created = await _api.PostAsync("/api/v1/suppression-rules", Json(
            $$$"""{"name":"less in copy","reason":"not reachable","filter":{"vulnerabilityIds":["{{{TestAdvisories.ExplicitVersion}}}"],"repository":"e2e/co*"}}"""));
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var ruleId = (string)body["rule"]!["id"]!;
        var suppressed = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/findings?status=SUPPRESSED"))!["findings"]!.AsArray();
        var listed = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/suppression-rules"))!["rules"]!.AsArray();
        var deleted = await _api.DeleteAsync($"/api/v1/suppression-rules/{ruleId}");
        var deletedAgain = await _api.DeleteAsync($"/api/v1/suppression-rules/{ruleId}");
        var afterDelete = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/findings?status=SUPPRESSED"))!["findings"]!.AsArray();

        Assert.Multiple(async () =>
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await bad.Content.ReadAsStringAsync());
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That((int)body["findingsChanged"]!, Is.EqualTo(1));
            Assert.That(suppressed.Select(f => (string?)f!["suppressedBy"]), Is.EqualTo(new[] { ruleId }));
            Assert.That((string?)suppressed[0]!["resources"]![0]!["details"]!["awsEcrContainerImage"]!["repositoryName"], Is.EqualTo("e2e/copy"));
            Assert.That(listed.Select(r => (string?)r!["id"]), Does.Contain(ruleId));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(deletedAgain.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(afterDelete, Is.Empty);
        });
    }

    [Test]
    public async Task Coverage_reports_scanned_images_as_active_and_the_manual_repository_as_scan_frequency_manual()
    {
        var resources = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/coverage?registry=local"))!["coveredResources"]!.AsArray().Select(r => r!).ToList();
        JsonNode ImageOf(PushedImage image) => resources.Single(r => (string?)r["imageDigest"] == image.Digest && (string?)r["repository"] == image.Repository);

        Assert.Multiple(() =>
        {
            Assert.That(((string?)ImageOf(_web)["statusCode"], (string?)ImageOf(_web)["reason"]), Is.EqualTo(("ACTIVE", "SUCCESSFUL")));
            Assert.That(((string?)ImageOf(_manual)["statusCode"], (string?)ImageOf(_manual)["reason"]), Is.EqualTo(("INACTIVE", "SCAN_FREQUENCY_MANUAL")));
            Assert.That(resources.Where(r => (string?)r["resourceType"] == "AWS_ECR_REPOSITORY").Select(r => ((string?)r["repository"], (string?)r["scanFrequency"])),
                Is.EquivalentTo(new[] { ("e2e/web", "SCAN_ON_PUSH"), ("e2e/copy", "SCAN_ON_PUSH"), ((string?)"manual/debian", (string?)"MANUAL") }));
            Assert.That(ImageOf(_web)["lastScannedAt"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Sbom_exports_the_scanned_packages_as_cyclonedx_and_spdx_with_purls()
    {
        var cyclone = JsonNode.Parse(await _api.GetStringAsync($"/api/v1/registries/local/sbom/{_web.Repository}@{_web.Digest}?format=cyclonedx"))!;
        var spdx = JsonNode.Parse(await _api.GetStringAsync($"/api/v1/registries/local/sbom/{_web.Repository}@{_web.Digest}?format=spdx"))!;
        var badFormat = await _api.GetAsync($"/api/v1/registries/local/sbom/{_web.Repository}@{_web.Digest}?format=swid");
        var notScanned = await _api.GetAsync($"/api/v1/registries/local/sbom/{_manual.Repository}@{_manual.Digest}");
        var libcPurl = $"pkg:deb/debian/libc6@{Uri.EscapeDataString(_advisories.Libc.Version)}";

        var components = cyclone["components"]!.AsArray().Select(c => c!).ToList();
        var packages = spdx["packages"]!.AsArray().Select(p => p!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string?)cyclone["bomFormat"], Is.EqualTo("CycloneDX"));
            Assert.That((string?)cyclone["specVersion"], Is.EqualTo("1.5"));
            Assert.That((string?)cyclone["serialNumber"], Does.Match("^urn:uuid:[0-9a-f-]{36}$"));
            Assert.That((string?)cyclone["metadata"]!["component"]!["bom-ref"], Is.EqualTo(_web.Digest));
            Assert.That(components.Select(c => (string?)c["purl"]), Has.Some.StartsWith(libcPurl + "?"));
            Assert.That(components.Select(c => (string?)c["purl"]), Is.All.StartsWith("pkg:deb/debian/"));
            Assert.That(components.Select(c => (string?)c["purl"]), Is.All.Contains("distro=debian-12"));
            Assert.That(cyclone["vulnerabilities"]!.AsArray().Select(v => (string?)v!["id"]), Does.Contain(TestAdvisories.FixedRange));

            Assert.That((string?)spdx["spdxVersion"], Is.EqualTo("SPDX-2.3"));
            Assert.That((string?)spdx["dataLicense"], Is.EqualTo("CC0-1.0"));
            Assert.That((string?)spdx["SPDXID"], Is.EqualTo("SPDXRef-DOCUMENT"));
            Assert.That((string?)spdx["documentNamespace"], Does.StartWith("https://"));
            Assert.That((string?)spdx["creationInfo"]!["created"], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
            Assert.That(packages.Select(p => (string?)p["SPDXID"]), Is.All.Match("^SPDXRef-[A-Za-z0-9.-]+$"));
            Assert.That(packages, Has.Count.EqualTo(components.Count + 1), "the image itself plus each package");
            Assert.That(packages.Select(p => (string?)p["externalRefs"]![0]!["referenceLocator"]), Has.Some.StartsWith(libcPurl + "?"));
            Assert.That(spdx["relationships"]!.AsArray().Count(r => (string?)r!["relationshipType"] == "CONTAINS"), Is.EqualTo(components.Count));
            Assert.That(badFormat.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(notScanned.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("/api/v1/findings?severity=BOGUS")]
    [TestCase("/api/v1/findings?maxResults=0")]
    [TestCase("/api/v1/findings?nextToken=not-a-token")]
    [TestCase("/api/v1/findings?sortBy=colour")]
    [TestCase("/api/v1/findings?imageDigest=latest")]
    [TestCase("/api/v1/findings/aggregations/colour")]
    [TestCase("/api/v1/findings/aggregations/package?sortBy=AFFECTED_IMAGES")]
    [TestCase("/api/v1/coverage")]
    public async Task Bad_filters_get_a_400_validation_error(string url)
    {
        var response = await _api.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That((string?)JsonNode.Parse(body)!["__type"], Is.EqualTo("ValidationException"));
    }

    [TestCase("/api/v1/findings")]
    [TestCase("/api/v1/findings/aggregations/repository")]
    [TestCase("/api/v1/suppression-rules")]
    [TestCase("/api/v1/coverage?registry=local")]
    [TestCase("/api/v1/registries/local/sbom/e2e/web@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Every_new_endpoint_refuses_requests_without_a_token(string url)
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        Assert.That((await anonymous.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_openapi_document_and_the_open_findings_metric_are_served()
    {
        var openApi = await _api.GetStringAsync("/openapi/v1.json");
        var metrics = await _api.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            foreach (var path in new[] { "/api/v1/findings", "/api/v1/findings/aggregations/{aggregation}", "/api/v1/suppression-rules",
                         "/api/v1/suppression-rules/{id}", "/api/v1/coverage", "/api/v1/registries/{registry}/sbom/{image}" })
                Assert.That(openApi, Does.Contain($"\"{path}\""), path);
            Assert.That(metrics, Does.Match(
                $"imagescanning_findings_open\\{{[^}}]*image_digest=\"{_web.Digest}\"[^}}]*severity=\"CRITICAL\"[^}}]*\\}} [1-9]"));
            Assert.That(metrics, Does.Contain("fix_available=\"YES\""));
        });
    }

    private async Task<List<JsonObject>> AggregateAsync(string pathAndQuery, string member)
    {
        var response = await _api.GetAsync("/api/v1/findings/aggregations/" + pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!["responses"]!.AsArray().Select(r => r![member]!.AsObject()).ToList();
    }

    private async Task<IReadOnlyList<JsonNode>> WaitForScanAsync(PushedImage image)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var response = await _api.GetAsync($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK)
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!["imageScanFindings"]!["findings"]!.AsArray().Select(f => f!).ToList();
            await Task.Delay(500);
        }
        Assert.Fail($"No scan of {image.DigestReference}.{Environment.NewLine}{_platform.Logs}");
        return null!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
