using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// A webhook subscriber on the running Standalone platform: subscribed through the REST API with a pattern selecting
/// "ECR Image Scan" for one repository, it receives the signed event of a real pushed image, naming its real findings,
/// and nothing for another repository scanned at the same time. The same scenario runs in both modes.
/// </summary>
[NonParallelizable]
public abstract class SubscriptionPipelineTests
{
    private const string WebhookToken = "e2e-webhook-token";
    private const string ApiToken = "e2e-api-token";
    private const string SignatureHeader = "X-ImageScanning-Signature-256";
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(3);

    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private WebhookReceiver _receiver = null!;
    /// <summary>Subscribed to e2e/other only: its delivery is the positive marker that e2e/other's event was matched and queued.</summary>
    private WebhookReceiver _sentinel = null!;
    private HttpClient _api = null!;
    private string _dataDirectory = "";
    private TestAdvisories _advisories = null!;
    private JsonObject _created = null!;
    private PushedImage _selected = null!;
    private string _sentinelId = "";
    private ReceivedWebhook _received = null!;
    private long? _queuedForPattern;

    protected abstract Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment);

    /// <summary>The process that hosts Findings, whose /metrics carry the delivery metrics.</summary>
    protected abstract string FindingsProcess { get; }

    [OneTimeSetUp]
    public async Task StartSubscribeAndPushAsync()
    {
        var image = await DebianTestImage.GetAsync();
        _advisories = new TestAdvisories(image.Packages);
        _receiver = await WebhookReceiver.StartAsync();
        _sentinel = await WebhookReceiver.StartAsync();
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        _dataDirectory = Directory.CreateTempSubdirectory("imagescanning-e2e-subscriptions-").FullName;
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, _dataDirectory);
        _platform = await StartPlatformAsync(gatewayPort, environment);
        _api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

        using var feed = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var zip = new ByteArrayContent(_advisories.ToZip());
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var upload = await feed.PostAsync("/api/v1/advisories", zip);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK), await upload.Content.ReadAsStringAsync());
        var put = await _api.PutAsync("/api/v1/registries/local/scanning-configuration", Json(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"e2e/*","filterType":"WILDCARD"}]}]}"""));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        var subscribe = await _api.PostAsync("/api/v1/subscriptions", Json(new JsonObject
        {
            ["targetUrl"] = new Uri(_receiver.Url, "ecr-scans").ToString(),
            ["description"] = "debian scans",
            ["eventPattern"] = JsonNode.Parse("""{"source":["aws.ecr"],"detail-type":["ECR Image Scan"],"detail":{"repository-name":["e2e/debian"]}}"""),
        }.ToJsonString()));
        Assert.That(subscribe.StatusCode, Is.EqualTo(HttpStatusCode.Created), await subscribe.Content.ReadAsStringAsync());
        _created = (await subscribe.Content.ReadFromJsonAsync<JsonObject>())!;
        var sentinel = await _api.PostAsync("/api/v1/subscriptions", Json(new JsonObject
        {
            ["targetUrl"] = new Uri(_sentinel.Url, "other-scans").ToString(),
            ["description"] = "marker: e2e/other's event was matched",
            ["eventPattern"] = JsonNode.Parse("""{"source":["aws.ecr"],"detail-type":["ECR Image Scan"],"detail":{"repository-name":["e2e/other"]}}"""),
        }.ToJsonString()));
        Assert.That(sentinel.StatusCode, Is.EqualTo(HttpStatusCode.Created), await sentinel.Content.ReadAsStringAsync());
        _sentinelId = (string)(await sentinel.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        // Both repositories are scanned; only one is selected by the pattern.
        await TestImages.PushAsync(image.Layout, _registry, "e2e/other", "bookworm");
        _selected = await TestImages.PushAsync(image.Layout, _registry, "e2e/debian", "bookworm");

        _received = (await _receiver.WaitForAcceptedAsync(1, ScanTimeout))[0];
        // e2e/other's event reached the marker subscriber: Findings matched it against every subscription and stored each match in
        // one commit, so a wrong delivery for the pattern under test would be stored by now, whatever the timing.
        var marker = (await _sentinel.WaitForAcceptedAsync(1, ScanTimeout))[0];
        Assert.That((string?)JsonNode.Parse(marker.BodyText)!["detail"]!["repository-name"], Is.EqualTo("e2e/other"));
        _queuedForPattern = await DeliveriesQueuedForAsync((string)_created["id"]!);
        await DeleteSentinelAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0 && _platform is not null) await TestContext.Out.WriteLineAsync(_platform.Logs);
        _api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        if (_receiver is not null) await _receiver.DisposeAsync();
        if (_sentinel is not null) await _sentinel.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test, Order(1)]
    public async Task The_subscriber_receives_the_signed_ecr_image_scan_naming_the_real_findings_and_nothing_else()
    {
        var received = _received;
        var queued = _queuedForPattern;

        var secret = (string)_created["secret"]!;
        var expectedSignature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), received.Body));
        var envelope = JsonNode.Parse(received.BodyText)!;
        var named = envelope["detail"]!["vulnerabilities"]!.AsArray()
            .Select(v => ((string)v!["vulnerability-id"]!, (string)v["package-name"]!))
            .OrderBy(v => v.Item1, StringComparer.Ordinal).ThenBy(v => v.Item2, StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_receiver.Requests, Has.Count.EqualTo(1), "e2e/other was scanned too, but the pattern does not select it");
            if (queued is not null) Assert.That(queued, Is.EqualTo(1), "one delivery stored for the pattern under test: e2e/debian's");
            Assert.That(received.Path, Is.EqualTo("/ecr-scans"));
            Assert.That(received.Header(SignatureHeader), Is.EqualTo(expectedSignature));
            Assert.That((string?)envelope["detail-type"], Is.EqualTo("ECR Image Scan"));
            Assert.That((string?)envelope["detail"]!["repository-name"], Is.EqualTo("e2e/debian"));
            Assert.That((string?)envelope["detail"]!["image-digest"], Is.EqualTo(_selected.Digest));
            Assert.That((string?)envelope["detail"]!["scan-status"], Is.EqualTo("COMPLETE"));
            Assert.That(named, Is.EqualTo(_advisories.ExpectedFindings));
        });
        Assert.That(named, Is.Not.Empty);
    }

    [Test, Order(2)]
    public async Task Delivery_metrics_are_exported_under_the_names_the_dashboards_use()
    {
        using var findings = new HttpClient { BaseAddress = _platform.UrlOf(FindingsProcess) };
        findings.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var metrics = await findings.GetStringAsync("/metrics");

        // Two: e2e/debian's to the subscriber under test, e2e/other's to the marker subscriber.
        Assert.That(metrics, Does.Match("imagescanning_subscriptions_deliveries_total\\{[^}]*outcome=\"delivered\"[^}]*\\} 2\\b"));
        Assert.That(metrics, Does.Match("imagescanning_subscriptions_pending(\\{[^}]*\\})? 0\\b"));
    }

    [Test, Order(3)]
    public async Task Subscriptions_are_listed_read_updated_and_deleted_without_ever_showing_the_secret_again()
    {
        var id = (string)_created["id"]!;
        var listed = await _api.GetFromJsonAsync<JsonObject>("/api/v1/subscriptions");
        var one = await _api.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{id}");
        var update = await _api.PutAsync($"/api/v1/subscriptions/{id}", Json($$"""
            {"targetUrl":"{{_receiver.Url}}","cloudEvents":true,"eventPattern":"{\"source\":[\"aws.ecr\"]}"}
            """));
        var deadLetters = await _api.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{id}/dead-letters");
        var replay = await _api.PostAsync($"/api/v1/subscriptions/{id}/dead-letters/replay", null);
        var delete = await _api.DeleteAsync($"/api/v1/subscriptions/{id}");
        var gone = await _api.GetAsync($"/api/v1/subscriptions/{id}");

        Assert.Multiple(async () =>
        {
            Assert.That(listed!["subscriptions"]!.AsArray().Select(s => (string?)s!["id"]), Is.EqualTo(new[] { id }));
            Assert.That(one!.ContainsKey("secret"), Is.False);
            Assert.That(listed.ToJsonString(), Does.Not.Contain((string)_created["secret"]!));
            Assert.That(JsonNode.DeepEquals(one["eventPattern"], _created["eventPattern"]), Is.True);
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK), await update.Content.ReadAsStringAsync());
            Assert.That((bool?)(await update.Content.ReadFromJsonAsync<JsonObject>())!["cloudEvents"], Is.True);
            Assert.That(deadLetters!["deadLetters"]!.AsArray(), Is.Empty);
            Assert.That((int?)(await replay.Content.ReadFromJsonAsync<JsonObject>())!["replayed"], Is.Zero);
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("""{"targetUrl":"http://127.0.0.1:9/x","eventPattern":{"detail-type":"ECR Image Scan"}}""", "eventPattern: $.detail-type must be an array")]
    [TestCase("""{"targetUrl":"file:///etc/passwd","eventPattern":{"source":["aws.ecr"]}}""", "http:// or https://")]
    [TestCase("""{"targetUrl":"http://127.0.0.1:9/x"}""", "eventPattern is required")]
    [TestCase("""{"eventPattern":{"source":["aws.ecr"]}}""", "targetUrl is required")]
    [TestCase("""not json""", "could not be read as JSON")]
    // 127.0.0.1 is allowed for the test receivers; the metadata address and private ranges are not.
    [TestCase("""{"targetUrl":"http://169.254.169.254/latest/meta-data/","eventPattern":{"source":["aws.ecr"]}}""", "targetUrl refused: address 169.254.169.254 is link-local")]
    [TestCase("""{"targetUrl":"https://10.0.0.1/hook","eventPattern":{"source":["aws.ecr"]}}""", "targetUrl refused: address 10.0.0.1 is private")]
    public async Task A_bad_subscription_gets_a_400_that_says_what_is_wrong(string body, string expected)
    {
        var response = await _api.PostAsync("/api/v1/subscriptions", Json(body));
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)error!["__type"], Is.EqualTo("InvalidParameterException"));
        Assert.That((string?)error["message"], Does.Contain(expected));
    }

    [Test]
    public async Task The_subscriptions_api_requires_the_api_token()
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        var list = await anonymous.GetAsync("/api/v1/subscriptions");
        var create = await anonymous.PostAsync("/api/v1/subscriptions", Json("""{"targetUrl":"http://127.0.0.1:9/x","eventPattern":{"source":["aws.ecr"]}}"""));

        Assert.That((list.StatusCode, create.StatusCode), Is.EqualTo((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized)));
    }

    /// <summary>
    /// The deliveries Findings stored for a subscription, read from its SQLite file (null on MongoDB, where the receiver's count
    /// alone is checked): exact, unlike what has arrived so far.
    /// </summary>
    private async Task<long?> DeliveriesQueuedForAsync(string subscriptionId)
    {
        var path = Path.Combine(_dataDirectory, "findings.db");
        if (!File.Exists(path)) return null;
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM deliveries WHERE subscription_id = $id;";
        command.Parameters.AddWithValue("$id", subscriptionId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The marker subscription has done its job; the later tests see the one subscription under test.</summary>
    private async Task DeleteSentinelAsync()
    {
        if (_sentinelId.Length == 0) return;
        var deleted = await _api.DeleteAsync($"/api/v1/subscriptions/{_sentinelId}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        _sentinelId = "";
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

public sealed class StandaloneSubscriptionPipelineTests : SubscriptionPipelineTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartStandaloneAsync(gatewayPort, environment);

    protected override string FindingsProcess => "Standalone";
}

/// <summary>Findings in its own process on RabbitMQ: its dispatcher delivers; the Gateway manages subscriptions over the bus.</summary>
public sealed class DistributedSubscriptionPipelineTests : SubscriptionPipelineTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartDistributedAsync(gatewayPort, environment);

    protected override string FindingsProcess => "Findings";
}
