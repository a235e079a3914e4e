using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ImageScanning.EndToEnd.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Observability.Tests;

/// <summary>
/// A platform that has really scanned images, watched by a real Prometheus: the Standalone process on a RabbitMQ
/// virtual host of its own (so the broker's queue metrics describe it), a real registry that notifies it, the real
/// Debian test image pushed with skopeo (scanned, with findings), an image without an operating system (a failed
/// scan), an image outside the rules (not scanned), a webhook with a wrong token (a rejection), an HTTP subscriber
/// receiving every scan event (deliveries), and a continuously scanned ENHANCED image that a newly uploaded advisory
/// re-scans (re-scan fan-out and usage of kind rescan).
/// </summary>
public sealed class ObservedPlatform : IAsyncDisposable
{
    public const string ApiToken = "observability-api-token";
    private const string WebhookToken = "observability-webhook-token";
    private const int RabbitMqPrometheusPort = 15692;

    /// <summary>The advisory uploaded after the scans: HIGH, fixed in a later version, for a package the image holds.</summary>
    public const string RescanAdvisoryId = "OBS-2026-0001";

    private RegistryServer? _registry;
    private WebhookReceiver? _subscriber;
    private RunningPlatform? _platform;
    private PrometheusServer? _prometheus;
    private string? _virtualHost;
    private string? _dataDirectory;

    public RunningPlatform Platform => _platform!;
    public string VirtualHost => _virtualHost!;
    public PrometheusServer Prometheus => _prometheus!;
    public HttpClient Api { get; } = new();
    public WebhookReceiver Subscriber => _subscriber!;
    public static Uri RabbitMqMetrics => new($"http://127.0.0.1:{RabbitMqPrometheusPort}/metrics/per-object");

    public async Task StartAsync()
    {
        await EnsureRabbitMqPrometheusAsync();
        var image = await DebianTestImage.GetAsync();
        var advisories = new TestAdvisories(image.Packages);
        _subscriber = await WebhookReceiver.StartAsync();
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        _dataDirectory = Directory.CreateTempSubdirectory("imagescanning-observability-").FullName;
        _virtualHost = RabbitMqVirtualHosts.NewName("obs");
        await RabbitMqVirtualHosts.CreateAsync(_virtualHost);
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, _dataDirectory);
        environment["Messaging__Transport"] = "RabbitMQ";
        environment["Messaging__RabbitMqHost"] = "127.0.0.1";
        environment["Security__AllowInsecureDefaults"] = "true"; // the local test broker's guest account: tests only
        environment["Messaging__RabbitMqVirtualHost"] = _virtualHost;
        var process = await PlatformProcess.StartAsync("Standalone", environment, gatewayPort);
        _platform = new RunningPlatform(process.Url, process.Url, [process]);
        _prometheus = await PrometheusServer.StartAsync(ScrapeConfiguration(process.Url));

        Api.BaseAddress = process.Url;
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var upload = new ByteArrayContent(advisories.ToZip());
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        await ExpectOkAsync(await Api.PostAsync("/api/v1/advisories", upload));
        await ExpectOkAsync(await Api.PutAsync("/api/v1/registries/local/scanning-configuration", new StringContent(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"e2e/*","filterType":"WILDCARD"}]}]}""",
            Encoding.UTF8, "application/json")));
        var subscription = await Api.PostAsync("/api/v1/subscriptions", new StringContent(
            $$$"""{"targetUrl":"{{{new Uri(_subscriber.Url, "scans")}}}","eventPattern":{"source":["aws.ecr","aws.inspector2"],"detail-type":["ECR Image Scan","Inspector2 Scan"]}}""",
            Encoding.UTF8, "application/json"));
        Assert.That(subscription.StatusCode, Is.EqualTo(HttpStatusCode.Created), await subscription.Content.ReadAsStringAsync());

        await TestImages.PushAsync(image.Layout, _registry, "other/debian", "bookworm");
        var scratch = await TestImages.BuildAndPushAsync(
            TestImages.Builder().Layer(e => e.WriteFile("app/hello.txt", "no operating system here")), _registry, "e2e/scratch", "v1");
        var debian = await TestImages.PushAsync(image.Layout, _registry, "e2e/debian", "bookworm");
        using (var wrongToken = new HttpClient { BaseAddress = process.Url })
        {
            wrongToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-webhook-token");
            var refused = await wrongToken.PostAsync("/webhooks/distribution/local", new StringContent("""{"events":[]}""", Encoding.UTF8, "application/json"));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        await WaitForScanAsync(scratch);
        await WaitForScanAsync(debian);
        await RescanContinuouslyScannedImageAsync(image);
        await _subscriber.WaitForAcceptedAsync(3, TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// The registry turns ENHANCED with cont/* under CONTINUOUS_SCAN (e2e/* leaves the rules, so nothing there is scanned
    /// again); the Debian image pushed to cont/debian gets an ENHANCED push scan, then an advisory for one of its packages
    /// re-scans it from its stored inventory, while e2e/debian, holding the same package, is not eligible.
    /// </summary>
    private async Task RescanContinuouslyScannedImageAsync(DebianTestImage.BuiltImage image)
    {
        await ExpectOkAsync(await Api.PutAsync("/api/v1/registries/local/scanning-configuration", new StringContent(
            """{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"cont/*","filterType":"WILDCARD"}]}]}""",
            Encoding.UTF8, "application/json")));
        var continuous = await TestImages.PushAsync(image.Layout, _registry!, "cont/debian", "bookworm");
        await WaitForScanAsync(continuous);
        await Task.Delay(1000); // ScanRouter records the scan's inventory beside Findings.

        var bash = image.Packages.First(p => p.Name == "bash");
        var advisory = new StringContent(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["schema_version"] = "1.6.0",
            ["id"] = RescanAdvisoryId,
            ["modified"] = "2026-11-28T00:00:00Z",
            ["summary"] = "bash - advisory uploaded to re-scan the continuously scanned image",
            ["severity"] = new[] { new { type = "CVSS_V3", score = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" } },
            ["affected"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["package"] = new { ecosystem = "Debian:12", name = bash.SourceName },
                    ["ranges"] = new[] { new { type = "ECOSYSTEM", events = new object[] { new { introduced = "0" }, new { @fixed = bash.SourceVersion + "+obs1" } } } },
                },
            },
        }), Encoding.UTF8, "application/json");
        await ExpectOkAsync(await Api.PostAsync("/api/v1/advisories", advisory));

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var findings = await Api.GetStringAsync($"/api/v1/registries/local/findings/{continuous.Repository}@{continuous.Digest}");
            if (findings.Contains(RescanAdvisoryId, StringComparison.Ordinal)) return;
            await Task.Delay(500);
        }
        Assert.Fail($"No re-scan of {continuous.DigestReference} found {RescanAdvisoryId}.{Environment.NewLine}{Platform.Logs}");
    }

    /// <summary>Waits until Prometheus has a sample of the query taken after the scans (scrapes are every second).</summary>
    public async Task WaitForScrapeAsync(string promQl)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if ((await Prometheus.QueryAsync(promQl)).Result.Count > 0) return;
            await Task.Delay(500);
        }
        var targets = await Prometheus.TargetsAsync();
        Assert.Fail($"Prometheus never saw {promQl}; targets: {string.Join("; ", targets)}{Environment.NewLine}{Prometheus.Output}");
    }

    private static string ScrapeConfiguration(Uri platform) => $"""
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: imagescanning
            authorization:
              type: Bearer
              credentials: {ApiToken}
            static_configs:
              - targets: ["{platform.Authority}"]
                labels: {"{"}service: standalone{"}"}
          - job_name: rabbitmq
            metrics_path: /metrics/per-object
            static_configs:
              - targets: ["127.0.0.1:{RabbitMqPrometheusPort}"]
        """;

    /// <summary>RabbitMQ's own exporter serves queue depth; enable it on the broker the tests use when it is off.</summary>
    private static async Task EnsureRabbitMqPrometheusAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        if (await RespondsAsync(http)) return;
        await ProcessRunner.RunAsync("rabbitmq-plugins", ["enable", "rabbitmq_prometheus"], TimeSpan.FromMinutes(1));
        for (var attempt = 0; attempt < 40 && !await RespondsAsync(http); attempt++) await Task.Delay(250);
        Assert.That(await RespondsAsync(http), Is.True, $"RabbitMQ's prometheus plugin does not answer on {RabbitMqMetrics}");
    }

    private static async Task<bool> RespondsAsync(HttpClient http)
    {
        try { return (await http.GetAsync(RabbitMqMetrics)).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    private async Task WaitForScanAsync(PushedImage image)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var response = await Api.GetAsync($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(500);
        }
        Assert.Fail($"No scan of {image.DigestReference}.{Environment.NewLine}{Platform.Logs}");
    }

    private static async Task ExpectOkAsync(HttpResponseMessage response) =>
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (_prometheus is not null) await _prometheus.DisposeAsync();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        if (_subscriber is not null) await _subscriber.DisposeAsync();
        if (_virtualHost is not null) await RabbitMqVirtualHosts.DeleteAsync(_virtualHost);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }
}
