using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// A new advisory reaches exactly the eligible images, without a pull. One ENHANCED registry: apps/a under CONTINUOUS_SCAN,
/// push/b under SCAN_ON_PUSH, apps/old under CONTINUOUS_SCAN but pushed (as a redelivered notification says) ten days ago with a
/// DAYS_3 re-scan duration. All three hold the Debian package acl; then an OSV advisory for acl is uploaded.
/// </summary>
[NonParallelizable]
public sealed class RescanFanOutTests
{
    private const string WebhookToken = "rescan-webhook-token";
    private const string ApiToken = "rescan-api-token";
    private const string AdvisoryId = "E2E-RESCAN-0001";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private HttpClient _api = null!;
    private string _work = "";
    private PushedImage _continuous = null!;
    private PushedImage _onPush = null!;
    private PushedImage _old = null!;
    private int _logBeforeAdvisory;

    [OneTimeSetUp]
    public async Task StartAndUploadAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescanning-e2e-rescan-").FullName;
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

        await PutAsync("/api/v1/registries/local/scanning-configuration",
            """{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"apps/*","filterType":"WILDCARD"}]},{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"push/*","filterType":"WILDCARD"}]}]}""");
        await PutAsync("/api/v1/registries/local/rescan-configuration", """{"ecrConfiguration":{"rescanDuration":"DAYS_3"}}""");

        _continuous = await BuildAndPushAsync("apps/a");
        _onPush = await BuildAndPushAsync("push/b");
        _old = await BuildAndPushAsync("apps/old");
        foreach (var image in new[] { _continuous, _onPush, _old }) await WaitForScansAsync(image, 1);

        // The registry redelivers apps/old's push with its original timestamp, ten days back: the catalog keeps the earliest push.
        var replay = await SendNotificationAsync(PushEnvelope(_old, DateTimeOffset.UtcNow.AddDays(-10)));
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await replay.Content.ReadAsStringAsync());
        await WaitForScansAsync(_old, 2);
        // ScanRouter records each scan's result and inventory beside Findings: the fan-out reads them, so wait for them, not a while.
        foreach (var image in new[] { _continuous, _onPush, _old }) await WaitForRouterStatusAsync(image, "COMPLETE");

        _logBeforeAdvisory = _registry.LogPosition;
        var upload = new StringContent(AdvisoryForAcl(), Encoding.UTF8, "application/json");
        var imported = await _api.PostAsync("/api/v1/advisories", upload);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());
        await WaitForScansAsync(_continuous, 2);
        // What must not happen (a re-scan of push/b or apps/old, a registry fetch) is checked against positive markers, not after a
        // sleep: the router counts its decision for every image holding acl in the one commit that sends the re-scans, so once all
        // three are counted nothing else is on its way; and the registry's log is read after a marker request of our own.
        await WaitForRescanDecisionsAsync(("sent", 1), ("not_eligible", 1), ("expired", 1));
        await _registry.SyncLogAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    [Test]
    public async Task The_continuous_image_gets_the_new_finding_from_a_rescan_without_any_registry_fetch()
    {
        var findings = await FindingIdsAsync(_continuous);
        Assert.That(findings, Does.Contain(AdvisoryId));
        Assert.That(await ScanEnvelopesAsync(_continuous), Has.Count.EqualTo(2), "a second ScanCompleted, for the re-scan");
        Assert.That(_registry.Fetches(_continuous.Repository, _logBeforeAdvisory), Is.Empty,
            "no manifest or blob fetch for apps/a after the advisory:\n" + string.Join('\n', _registry.ReadLog(_logBeforeAdvisory)));

        var metrics = await _api.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Match("imagescanning_findings_[a-z_]*\\{[^}]*trigger=\"RESCAN\"[^}]*\\} 1\\b"), "Findings stored one RESCAN scan");
        Assert.That(metrics, Does.Match("imagescanning_router_rescans_total\\{[^}]*outcome=\"sent\"[^}]*\\} 1\\b"));
    }

    [Test]
    public async Task The_scan_on_push_image_holding_the_package_is_not_rescanned()
    {
        Assert.That(await ScanEnvelopesAsync(_onPush), Has.Count.EqualTo(1));
        Assert.That(await FindingIdsAsync(_onPush), Does.Not.Contain(AdvisoryId));
        Assert.That(await _api.GetStringAsync("/metrics"), Does.Match("imagescanning_router_rescans_total\\{[^}]*outcome=\"not_eligible\"[^}]*\\} 1\\b"));
    }

    [Test]
    public async Task The_image_past_its_rescan_window_is_not_rescanned_and_shows_scan_eligibility_expired()
    {
        Assert.That(await ScanEnvelopesAsync(_old), Has.Count.EqualTo(2), "the push and the replayed push; no re-scan");
        Assert.That(await FindingIdsAsync(_old), Does.Not.Contain(AdvisoryId));
        Assert.That(await RouterStatusAsync(_old), Is.EqualTo("SCAN_ELIGIBILITY_EXPIRED"));
        Assert.That(await _api.GetStringAsync("/metrics"), Does.Match("imagescanning_router_rescans_total\\{[^}]*outcome=\"expired\"[^}]*\\} 1\\b"));
    }

    [Test]
    public async Task Usage_counts_initial_scans_and_rescans_per_repository_with_the_estimated_cost()
    {
        var month = DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var usage = (await _api.GetFromJsonAsync<JsonObject>($"/api/v1/registries/local/usage?month={month}"))!;
        var repositories = usage["repositories"]!.AsArray().ToDictionary(r => (string)r!["repository"]!, r => r!);

        Assert.Multiple(() =>
        {
            Assert.That((long)repositories["apps/a"]["initialScans"]!, Is.EqualTo(1));
            Assert.That((long)repositories["apps/a"]["rescans"]!, Is.EqualTo(1));
            Assert.That((long)repositories["push/b"]["rescans"]!, Is.Zero);
            Assert.That((long)repositories["apps/old"]["initialScans"]!, Is.EqualTo(2));
            Assert.That((decimal)usage["estimatedCostUsd"]!, Is.EqualTo(4 * 0.09m + 1 * 0.01m));
        });
        var bad = await _api.GetAsync("/api/v1/registries/local/usage?month=2026-13");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await bad.Content.ReadFromJsonAsync<JsonObject>())!["__type"]!.GetValue<string>(), Is.EqualTo("ValidationException"));
    }

    [Test]
    public async Task The_rescan_configuration_reads_back_and_rejects_unknown_durations()
    {
        var state = (await _api.GetFromJsonAsync<JsonObject>("/api/v1/registries/local/rescan-configuration"))!["ecrConfiguration"]!["rescanDurationState"]!;
        Assert.That((string?)state["rescanDuration"], Is.EqualTo("DAYS_3"));
        Assert.That((string?)state["status"], Is.EqualTo("SUCCESS"));

        var bad = await _api.PutAsync("/api/v1/registries/local/rescan-configuration",
            new StringContent("""{"ecrConfiguration":{"rescanDuration":"DAYS_5"}}""", Encoding.UTF8, "application/json"));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await bad.Content.ReadFromJsonAsync<JsonObject>())!["__type"]!.GetValue<string>(), Is.EqualTo("ValidationException"));
        var unknown = await _api.GetAsync("/api/v1/registries/nowhere/rescan-configuration");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_pull_by_a_client_is_recorded_as_the_images_last_pull()
    {
        var before = DateTimeOffset.UtcNow;
        await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{_registry.HostPort}/{_onPush.Repository}@{_onPush.Digest}"], TimeSpan.FromMinutes(1));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        DateTimeOffset? pulled;
        do
        {
            pulled = await RouterLastPullAsync(_onPush);
            if (pulled >= before.AddSeconds(-1)) break;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.That(pulled, Is.GreaterThanOrEqualTo(before.AddSeconds(-1)));
    }

    private async Task PutAsync(string path, string json)
    {
        var response = await _api.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A Debian 12 image holding the corpus's real dpkg status (acl 2.3.1-3 among it), made distinct per repository.</summary>
    private async Task<PushedImage> BuildAndPushAsync(string repository)
    {
        var status = await File.ReadAllTextAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        var layout = await TestImages.Builder()
            .Layer(r => r.WriteFile("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
                .WriteFile("var/lib/dpkg/status", status)
                .WriteFile("etc/hostname", repository.Replace('/', '-') + "\n"))
            .BuildAsync("v1", Path.Combine(_work, "image-" + repository.Replace('/', '-')));
        return await TestImages.PushAsync(layout, _registry, repository, "v1");
    }

    private static string AdvisoryForAcl() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["schema_version"] = "1.6.0",
        ["id"] = AdvisoryId,
        ["modified"] = "2026-11-28T00:00:00Z",
        ["published"] = "2026-11-28T00:00:00Z",
        ["summary"] = "acl - test advisory for the re-scan fan-out",
        ["affected"] = new[]
        {
            new Dictionary<string, object>
            {
                ["package"] = new { ecosystem = "Debian:12", name = "acl", purl = "pkg:deb/debian/acl?arch=source" },
                ["ranges"] = new[] { new { type = "ECOSYSTEM", events = new object[] { new { introduced = "0" }, new { @fixed = "2.3.1-4" } } } },
            },
        },
    });

    private string PushEnvelope(PushedImage image, DateTimeOffset timestamp) => new JsonObject
    {
        ["events"] = new JsonArray(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["timestamp"] = timestamp.ToString("O"),
            ["action"] = "push",
            ["target"] = new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = image.Digest,
                ["repository"] = image.Repository,
                ["tag"] = image.Tag,
            },
        }),
    }.ToJsonString();

    private async Task<HttpResponseMessage> SendNotificationAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/distribution/local")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/vnd.docker.distribution.events.v2+json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebhookToken);
        using var client = new HttpClient { BaseAddress = _platform.GatewayUrl };
        return await client.SendAsync(request);
    }

    private async Task<List<JsonObject>> ScanEnvelopesAsync(PushedImage image)
    {
        var events = await _api.GetFromJsonAsync<JsonArray>("/api/v1/events/scan-completed?limit=100");
        return events!.Select(e => e!.AsObject())
            .Where(e => (string?)e["detail"]!["image-digest"] == image.Digest
                        && ((string?)e["detail"]!["repository-name"])!.EndsWith("/" + image.Repository, StringComparison.Ordinal))
            .ToList();
    }

    private async Task WaitForScansAsync(PushedImage image, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await ScanEnvelopesAsync(image)).Count >= count) return;
            await Task.Delay(300);
        }
        Assert.Fail($"{image.Repository} did not reach {count} completed scans." + Environment.NewLine + _platform.Logs);
    }

    private async Task WaitForRouterStatusAsync(PushedImage image, string status)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await RouterStatusAsync(image) == status) return;
            await Task.Delay(200);
        }
        Assert.Fail($"ScanRouter's catalog row of {image.Repository} did not reach {status} (it is {await RouterStatusAsync(image)})." + Environment.NewLine + _platform.Logs);
    }

    /// <summary>Waits until the router's re-scan counter holds at least each (outcome, count); the tests then check the exact counts.</summary>
    private async Task WaitForRescanDecisionsAsync(params (string Outcome, int Count)[] expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var metrics = "";
        while (DateTime.UtcNow < deadline)
        {
            metrics = await _api.GetStringAsync("/metrics");
            if (expected.All(e => RescanCount(metrics, e.Outcome) >= e.Count)) return;
            await Task.Delay(200);
        }
        Assert.Fail("The router did not count its re-scan decisions " + string.Join(", ", expected) + ":" + Environment.NewLine
                    + string.Join(Environment.NewLine, metrics.Split('\n').Where(l => l.StartsWith("imagescanning_router_rescans", StringComparison.Ordinal))));
    }

    private static long RescanCount(string metrics, string outcome) =>
        System.Text.RegularExpressions.Regex.Match(metrics, "^imagescanning_router_rescans_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*\\} (\\d+)",
            System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } m ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private async Task<List<string>> FindingIdsAsync(PushedImage image)
    {
        var scan = await _api.GetFromJsonAsync<JsonObject>($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
        return scan!["imageScanFindings"]!["findings"]!.AsArray().Select(f => (string)f!["vulnerabilityId"]!).ToList();
    }

    /// <summary>ScanRouter's catalog row, read from the standalone's SQLite file: the status has no REST read yet.</summary>
    private async Task<string?> RouterStatusAsync(PushedImage image) =>
        (string?)await RouterScalarAsync("SELECT scan_status FROM images WHERE repository = $repository AND digest = $digest;", image);

    private async Task<DateTimeOffset?> RouterLastPullAsync(PushedImage image) =>
        await RouterScalarAsync("SELECT last_pulled_at FROM images WHERE repository = $repository AND digest = $digest;", image) is long ms
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    private async Task<object?> RouterScalarAsync(string sql, PushedImage image)
    {
        var path = Path.Combine(_work, "data", "scanrouter.db");
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$repository", image.Repository);
        command.Parameters.AddWithValue("$digest", image.Digest);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}
