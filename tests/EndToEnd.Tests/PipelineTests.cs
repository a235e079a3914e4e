using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// Registry push to ScanCompleted on real parts: a real docker-registry notifies the Gateway, a real
/// Debian image built with debootstrap + umoci is pushed with skopeo, and the platform runs as real
/// processes. The same scenario runs in both modes.
/// </summary>
[NonParallelizable]
public abstract class PipelineTests
{
    private const string WebhookToken = "e2e-webhook-token";
    private const string ApiToken = "e2e-api-token";
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(3);

    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private string _dataDirectory = "";
    private HttpClient _api = null!;
    protected TestAdvisories Advisories { get; private set; } = null!;
    protected PushedImage Scanned { get; private set; } = null!;
    protected PushedImage NotMatched { get; private set; } = null!;
    protected PushedImage NoOperatingSystem { get; private set; } = null!;
    protected JsonObject ScannedFindings { get; private set; } = null!;

    protected abstract Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment);

    /// <summary>Lets a mode add settings before the platform starts.</summary>
    protected virtual void Configure(Dictionary<string, string> environment) { }

    /// <summary>Called before the platform starts (to subscribe to the bus before anything is published).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Called after the platform and registry stopped (to release what <see cref="BeforeStartAsync"/> took).</summary>
    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    /// <summary>Advisories the mode imports at start-up (CveFeed:ImportPaths); 0 when it imports none.</summary>
    protected virtual int StartupAdvisories => 0;

    protected HttpClient Api => _api;

    protected Uri GatewayUrl => _platform.GatewayUrl;

    [OneTimeSetUp]
    public async Task StartPlatformAndScanAsync()
    {
        var image = await DebianTestImage.GetAsync();
        Advisories = new TestAdvisories(image.Packages);

        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
                // The Gateway must do its own filtering: send it blob events too.
                IgnoredMediaTypes = [],
            },
        });
        _dataDirectory = Directory.CreateTempSubdirectory("imagescanning-e2e-data-").FullName;
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, _dataDirectory);
        Configure(environment);
        await BeforeStartAsync();
        _platform = await StartPlatformAsync(gatewayPort, environment);
        _api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

        await WaitForStartupImportAsync();
        await UploadAdvisoriesAsync();
        var put = await _api.PutAsync("/api/v1/registries/local/scanning-configuration", Json(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"e2e/*","filterType":"WILDCARD"}]}]}"""));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        NotMatched = await TestImages.PushAsync(image.Layout, _registry, "other/debian", "bookworm");
        NoOperatingSystem = await TestImages.BuildAndPushAsync(
            TestImages.Builder().Layer(e => e.WriteFile("app/hello.txt", "no operating system here")), _registry, "e2e/scratch", "v1");
        Scanned = await TestImages.PushAsync(image.Layout, _registry, "e2e/debian", "bookworm");
        ScannedFindings = await WaitForScanAsync(Scanned);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0 && _platform is not null)
            await TestContext.Out.WriteLineAsync(_platform.Logs);
        _api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        await AfterStopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test]
    public void The_scan_reports_exactly_the_affected_packages()
    {
        var reported = Findings(ScannedFindings)
            .Select(f => ((string)f["vulnerabilityId"]!, (string)f["package"]!["name"]!))
            .OrderBy(f => f.Item1, StringComparer.Ordinal).ThenBy(f => f.Item2, StringComparer.Ordinal).ToList();

        Assert.That(reported, Is.EqualTo(Advisories.ExpectedFindings));
        Assert.That(reported.Select(r => r.Item1), Has.None.EqualTo(TestAdvisories.AlreadyFixed).And.None.EqualTo(TestAdvisories.OtherRelease));
    }

    [Test]
    public async Task Each_finding_names_its_version_fix_severity_and_the_layer_that_added_the_package()
    {
        var layers = await DebianTestImage.LayerDigestsAsync(_registry, Scanned.Repository, Scanned.Digest);
        Assert.That(layers, Has.Count.EqualTo(2));
        var findings = Findings(ScannedFindings);
        var libc = findings.Single(f => (string?)f["vulnerabilityId"] == TestAdvisories.FixedRange && (string?)f["package"]!["name"] == "libc6");
        var less = findings.Single(f => (string?)f["vulnerabilityId"] == TestAdvisories.ExplicitVersion);

        Assert.Multiple(() =>
        {
            Assert.That((string?)libc["package"]!["version"], Is.EqualTo(Advisories.Libc.Version));
            Assert.That((string?)libc["package"]!["sourceName"], Is.EqualTo(Advisories.Libc.SourceName));
            Assert.That((string?)libc["fixedInVersion"], Is.EqualTo(Advisories.FixedVersionForLibc));
            Assert.That((string?)libc["severity"], Is.EqualTo("CRITICAL"));
            Assert.That((double?)libc["cvssScore"], Is.EqualTo(9.8));
            Assert.That(libc["aliases"]!.AsArray().Select(a => (string?)a), Does.Contain("CVE-2026-0001"));
            Assert.That((string?)libc["package"]!["layerDigest"], Is.EqualTo(layers[0]), "libc6 came with the debootstrap layer");
            Assert.That((string?)libc["package"]!["filePath"], Is.EqualTo("var/lib/dpkg/status"));

            Assert.That((string?)less["package"]!["version"], Is.EqualTo(Advisories.Less.Version));
            Assert.That((string?)less["severity"], Is.EqualTo("UNDEFINED"), "no vendor or CVSS severity: BASIC says UNDEFINED");
            Assert.That((string?)less["fixedInVersion"], Is.Null);
            Assert.That((string?)less["package"]!["layerDigest"], Is.EqualTo(layers[1]), "less was installed by the second layer");
        });
    }

    [Test]
    public async Task ScanCompleted_is_emitted_as_an_ecr_image_scan_event_with_the_severity_counts()
    {
        var envelope = await WaitForEventAsync(Scanned.Digest);
        var detail = envelope["detail"]!.AsObject();
        var expected = Advisories.ExpectedFindings;
        var critical = expected.Count(f => f.Id == TestAdvisories.FixedRange);

        Assert.Multiple(() =>
        {
            Assert.That((string?)envelope["detail-type"], Is.EqualTo("ECR Image Scan"));
            Assert.That((string?)envelope["source"], Is.EqualTo("aws.ecr"));
            Assert.That((string?)detail["scan-status"], Is.EqualTo("COMPLETE"));
            Assert.That((string?)detail["repository-name"], Is.EqualTo("e2e/debian"));
            Assert.That(detail["image-tags"]!.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { "bookworm" }));
            Assert.That(JsonNode.DeepEquals(detail["finding-severity-counts"],
                new JsonObject { ["CRITICAL"] = critical, ["UNDEFINED"] = expected.Count - critical }), Is.True,
                detail["finding-severity-counts"]!.ToJsonString());
        });
        Assert.That((int)ScannedFindings["imageScanFindings"]!["findingSeverityCounts"]!["CRITICAL"]!, Is.EqualTo(critical));
    }

    [Test]
    public async Task An_image_without_an_operating_system_fails_visibly_as_unsupported()
    {
        var result = await WaitForScanAsync(NoOperatingSystem);
        var envelope = await WaitForEventAsync(NoOperatingSystem.Digest);

        Assert.That((string?)result["imageScanStatus"]!["status"], Is.EqualTo("UNSUPPORTED_IMAGE"));
        Assert.That((string?)result["imageScanStatus"]!["description"], Does.Contain("os-release"));
        Assert.That((string?)envelope["detail"]!["scan-status"], Is.EqualTo("FAILED"));
        Assert.That((string?)envelope["detail"]!["failure-reason"], Is.EqualTo("UNSUPPORTED_IMAGE"));
    }

    [Test]
    public async Task A_repository_outside_the_scan_on_push_rule_is_not_scanned()
    {
        // The matched image was pushed after this one and has completed, so this one had its chance.
        var response = await _api.GetAsync($"/api/v1/registries/local/findings/{NotMatched.Repository}@{NotMatched.Digest}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("ScanNotFoundException"));
    }

    [Test]
    public async Task Webhooks_without_the_registry_token_are_refused_and_malformed_ones_are_acknowledged_as_rejected()
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        var unauthenticated = await anonymous.PostAsync("/webhooks/distribution/local", Json("""{"events":[]}"""));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        var wrongToken = await anonymous.PostAsync("/webhooks/distribution/local", Json("""{"events":[]}"""));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", WebhookToken);
        var malformed = await anonymous.PostAsync("/webhooks/distribution/local", Json("""{"events": "nope"}"""));
        var apiWithoutToken = await new HttpClient { BaseAddress = _platform.GatewayUrl }.GetAsync("/api/v1/registries/local/scanning-configuration");

        Assert.Multiple(async () =>
        {
            Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            // Acknowledged (a 400 would be sent again for ever, holding the registry's queue), with the reason recorded.
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var answer = JsonNode.Parse(await malformed.Content.ReadAsStringAsync())!;
            Assert.That((string?)answer["outcome"], Is.EqualTo("rejected"));
            Assert.That((string?)answer["code"], Is.EqualTo("malformed"));
            Assert.That((string?)answer["reason"], Does.Contain("\"events\" array"));
            Assert.That(apiWithoutToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task An_invalid_scanning_configuration_is_refused_with_ecr_error_shape_and_changes_nothing()
    {
        var put = await _api.PutAsync("/api/v1/registries/local/scanning-configuration", Json(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"UPPER","filterType":"WILDCARD"}]}]}"""));
        var body = await put.Content.ReadFromJsonAsync<JsonObject>();
        var current = await _api.GetFromJsonAsync<JsonObject>("/api/v1/registries/local/scanning-configuration");

        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body!["__type"], Is.EqualTo("InvalidParameterException"));
        Assert.That((string?)current!["scanningConfiguration"]!["rules"]![0]!["repositoryFilters"]![0]!["filter"], Is.EqualTo("e2e/*"));
    }

    [Test]
    public async Task Metrics_are_exported_in_prometheus_format_to_authenticated_scrapers_only()
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        var refused = await anonymous.GetAsync("/metrics");
        var live = await anonymous.GetAsync("/health/live");
        var ready = await anonymous.GetAsync("/health/ready");
        var metrics = await _api.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(metrics, Does.Contain("# TYPE imagescanning_gateway_webhook_events_total counter"));
            Assert.That(metrics, Does.Match("imagescanning_gateway_webhook_events_total\\{[^}]*outcome=\"accepted\"[^}]*\\} [1-9]"));
        });
    }

    [Test]
    public async Task Finding_queries_coverage_and_sbom_are_answered_over_the_bus()
    {
        var listed = (await _api.GetFromJsonAsync<JsonObject>($"/api/v1/findings?imageDigest={Scanned.Digest}&maxResults=100"))!["findings"]!.AsArray();
        var byRepository = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/findings/aggregations/repository?repository=e2e/debian"))!["responses"]!.AsArray();
        var coverage = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/coverage?registry=local&repository=e2e/debian"))!["coveredResources"]!.AsArray();
        var sbom = JsonNode.Parse(await _api.GetStringAsync($"/api/v1/registries/local/sbom/{Scanned.Repository}@{Scanned.Digest}?format=spdx"))!;

        Assert.Multiple(() =>
        {
            Assert.That(listed, Has.Count.EqualTo(Advisories.ExpectedFindings.Count));
            Assert.That(listed.Select(f => (string?)f!["status"]), Is.All.EqualTo("ACTIVE"));
            Assert.That((long)byRepository.Single()!["repositoryAggregation"]!["severityCounts"]!["all"]!, Is.EqualTo(Advisories.ExpectedFindings.Count));
            Assert.That(coverage.Where(r => (string?)r!["imageDigest"] == Scanned.Digest).Select(r => (string?)r!["reason"]), Is.EqualTo(new[] { "SUCCESSFUL" }));
            Assert.That((string?)sbom["spdxVersion"], Is.EqualTo("SPDX-2.3"));
        });
    }

    protected static IReadOnlyList<JsonNode> Findings(JsonObject result) =>
        result["imageScanFindings"]!["findings"]!.AsArray().Select(f => f!).ToList();

    private async Task WaitForStartupImportAsync()
    {
        using var feed = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long count;
        do
        {
            count = (await feed.GetFromJsonAsync<JsonObject>("/api/v1/advisories/status"))!["advisories"]!.GetValue<long>();
            if (count >= StartupAdvisories) break;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        Assert.That(count, Is.EqualTo(StartupAdvisories), "advisories imported at start-up");
    }

    private async Task UploadAdvisoriesAsync()
    {
        using var upload = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        upload.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var content = new ByteArrayContent(Advisories.ToZip());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var response = await upload.PostAsync("/api/v1/advisories", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(JsonNode.Parse(body)!["added"]!.GetValue<int>(), Is.EqualTo(5), body);
    }

    private async Task<JsonObject> WaitForScanAsync(PushedImage image)
    {
        var deadline = DateTime.UtcNow + ScanTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var response = await _api.GetAsync($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK) return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), await response.Content.ReadAsStringAsync());
            await Task.Delay(500);
        }
        Assert.Fail($"No scan of {image.DigestReference} within {ScanTimeout}.{Environment.NewLine}{_platform.Logs}");
        return null!;
    }

    private async Task<JsonObject> WaitForEventAsync(string digest)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var events = await _api.GetFromJsonAsync<JsonArray>("/api/v1/events/scan-completed?limit=100");
            var match = events!.Select(e => e!.AsObject()).Where(e => (string?)e["detail"]!["image-digest"] == digest).ToList();
            if (match.Count > 0)
            {
                Assert.That(match, Has.Count.EqualTo(1), "one scan, one event");
                return match[0];
            }
            await Task.Delay(250);
        }
        Assert.Fail($"No ScanCompleted event for {digest}.");
        return null!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

public sealed class StandalonePipelineTests : PipelineTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
}
