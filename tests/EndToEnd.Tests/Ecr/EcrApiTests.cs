using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests.Ecr;

/// <summary>
/// The real AWS SDK for JavaScript (<c>@aws-sdk/client-ecr</c>, SigV4-signed) against the Standalone platform, a real
/// docker-registry and a real Debian image pushed with skopeo: every ECR operation we serve, the findings paginator, the
/// ImageScanComplete waiter and badly signed requests. The node script runs the calls in order once; each test checks one.
/// Runs in both modes: one process on the in-memory bus, and every service in its own process on RabbitMQ.
/// </summary>
[NonParallelizable]
public abstract class EcrApiTests
{
    private const string WebhookToken = "ecr-webhook-token";
    private const string ApiToken = "ecr-api-token";
    private const string AccessKeyId = "AKIAECRTESTKEY000001";
    private const string SecretAccessKey = "ecr-test-secret/Kx7+q9w2";
    private const string AccountId = "123456789012";
    private const string Region = "eu-west-3";
    private const string Repository = "ecr/debian";
    private const string Tag = "bookworm";
    private const string EnhancedRepository = "ecr/enhanced";

    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private string _work = "";
    private PushedImage _image = null!;
    private TestAdvisories _advisories = null!;
    private JsonObject _results = null!;
    private JsonObject _enhanced = null!;
    private JsonObject _suppressed = null!;
    private List<JsonObject> _lifecycleFindings = null!;

    protected abstract Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment);

    [OneTimeSetUp]
    public async Task RunTheSdkAsync()
    {
        if (await AwsSdkEcr.EnsureInstalledAsync() is { } missing) Assert.Fail(missing + " (tests/run.sh installs nodejs and npm)");
        var debian = await DebianTestImage.GetAsync();
        _advisories = new TestAdvisories(debian.Packages);
        _work = Directory.CreateTempSubdirectory("imagescanning-e2e-ecr-").FullName;
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, Path.Combine(_work, "data"));
        environment["Aws__Region"] = Region;
        environment["Aws__AccountId"] = AccountId;
        environment["Aws__AccessKeys__0__AccessKeyId"] = AccessKeyId;
        environment["Aws__AccessKeys__0__SecretAccessKey"] = SecretAccessKey;
        _platform = await StartPlatformAsync(gatewayPort, environment);

        var zip = new ByteArrayContent(_advisories.ToZip());
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var feed = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var imported = await feed.PostAsync("/api/v1/advisories", zip);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());

        // No rules: BASIC, every repository MANUAL, so nothing is scanned until the SDK asks. The script first waits
        // (DescribeImages) until the registry's notification has put the image in the catalog.
        _image = await TestImages.PushAsync(debian.Layout, _registry, Repository, Tag);

        var sdk = new Dictionary<string, string>
        {
            ["ENDPOINT"] = _platform.GatewayUrl.ToString().TrimEnd('/'),
            ["REGION"] = Region,
            ["ACCESS_KEY_ID"] = AccessKeyId,
            ["SECRET_ACCESS_KEY"] = SecretAccessKey,
            ["REGISTRY_ID"] = AccountId,
            ["REPOSITORY"] = Repository,
            ["TAG"] = Tag,
        };
        _results = await AwsSdkEcr.RunScriptAsync(new(sdk));

        // The basic phase ended with ENHANCED + CONTINUOUS_SCAN for ecr*: this push is scanned by the enhanced scanner.
        await TestImages.PushAsync(debian.Layout, _registry, EnhancedRepository, Tag);
        _enhanced = await AwsSdkEcr.RunScriptAsync(new(sdk) { ["REPOSITORY"] = EnhancedRepository, ["PHASE"] = "enhanced" });
        _lifecycleFindings = await LifecycleFindingsAsync(EnhancedRepository);
        using (var api = ApiClient())
        {
            var rule = await api.PostAsync("/api/v1/suppression-rules", new StringContent(
                $$$"""{"name":"accepted","reason":"not reachable","filter":{"vulnerabilityIds":["{{{TestAdvisories.FixedRange}}}"],"repository":"{{{EnhancedRepository}}}"}}""",
                Encoding.UTF8, "application/json"));
            Assert.That(rule.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rule.Content.ReadAsStringAsync());
        }
        _suppressed = await AwsSdkEcr.RunScriptAsync(new(sdk) { ["REPOSITORY"] = EnhancedRepository, ["PHASE"] = "suppressed" });
        // Kept beside the test assembly for a look at what the SDK really received.
        await File.WriteAllTextAsync(Path.Combine(TestContext.CurrentContext.WorkDirectory, $"ecr-sdk-results-{GetType().Name}.json"),
            new JsonObject { ["basic"] = _results.DeepClone(), ["enhanced"] = _enhanced.DeepClone(), ["suppressed"] = _suppressed.DeepClone() }.ToJsonString());
    }

    private HttpClient ApiClient()
    {
        var api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        return api;
    }

    /// <summary>Every finding of the repository as the REST API (Inspector's ListFindings) reports it, all pages.</summary>
    private async Task<List<JsonObject>> LifecycleFindingsAsync(string repository)
    {
        using var api = ApiClient();
        var all = new List<JsonObject>();
        string? token = null;
        do
        {
            var url = $"/api/v1/findings?repository={Uri.EscapeDataString(repository)}&maxResults=100"
                + (token is null ? "" : "&nextToken=" + Uri.EscapeDataString(token));
            var response = await api.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            var page = JsonNode.Parse(body)!;
            all.AddRange(page["findings"]!.AsArray().Select(f => f!.AsObject()));
            token = (string?)page["nextToken"];
        } while (token is not null);
        return all;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0 && _platform is not null)
            await TestContext.Out.WriteLineAsync(_platform.Logs);
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    private JsonObject Ok(string step)
    {
        var result = _results[step]!.AsObject();
        Assert.That(result["error"], Is.Null, $"{step}: {result.ToJsonString()}");
        return result["ok"]!.AsObject();
    }

    private (string Name, string Message, int? Status) Error(string step)
    {
        var error = _results[step]!["error"];
        Assert.That(error, Is.Not.Null, $"{step} should have failed: {_results[step]!.ToJsonString()}");
        return ((string)error!["name"]!, (string)error["message"]!, (int?)error["status"]);
    }

    [Test]
    public void Registry_configuration_defaults_to_basic_and_reads_back_what_was_put()
    {
        var initial = Ok("getRegistryScanningConfiguration");
        var put = Ok("putRegistryEnhanced");
        var after = Ok("getRegistryAfterPut");
        Assert.Multiple(() =>
        {
            Assert.That((string?)initial["registryId"], Is.EqualTo(AccountId));
            Assert.That((string?)initial["scanningConfiguration"]!["scanType"], Is.EqualTo("BASIC"));
            Assert.That(initial["scanningConfiguration"]!["rules"]!.AsArray(), Is.Empty);
            Assert.That((string?)put["registryScanningConfiguration"]!["scanType"], Is.EqualTo("ENHANCED"));
            Assert.That((string?)after["scanningConfiguration"]!["scanType"], Is.EqualTo("ENHANCED"));
            Assert.That((string?)after["scanningConfiguration"]!["rules"]![0]!["repositoryFilters"]![0]!["filter"], Is.EqualTo("ecr*"));
            Assert.That(Error("putRegistryInvalid").Name, Is.EqualTo("InvalidParameterException"));
        });
    }

    [Test]
    public void Repositories_and_images_are_described_from_the_catalog()
    {
        var repositories = Ok("describeRepositories")["repositories"]!.AsArray();
        var before = Ok("describeImagesBeforeScan")["imageDetails"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(repositories.Select(r => (string?)r!["repositoryName"]), Is.EqualTo(new[] { Repository }));
            Assert.That((string?)repositories[0]!["repositoryArn"], Is.EqualTo($"arn:aws:ecr:{Region}:{AccountId}:repository/{Repository}"));
            Assert.That((string?)repositories[0]!["createdAt"], Is.Not.Null, "the SDK turns epoch seconds into a Date");
            Assert.That(Error("describeRepositoriesMissing").Name, Is.EqualTo("RepositoryNotFoundException"));
            Assert.That(before, Has.Count.EqualTo(1));
            Assert.That((string?)before[0]!["imageDigest"], Is.EqualTo(_image.Digest));
            Assert.That(before[0]!["imageTags"]!.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { Tag }));
            Assert.That(before[0]!["imageScanStatus"], Is.Null, "not scanned yet");
            var pushedAt = DateTimeOffset.Parse((string)before[0]!["imagePushedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(pushedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(10)));
        });
    }

    [Test]
    public void Legacy_scan_on_push_is_stored_and_reported_while_the_registry_has_no_rules()
    {
        var before = Ok("batchGetBefore");
        var put = Ok("putImageScanningConfiguration");
        var after = Ok("batchGetAfterLegacy")["scanningConfigurations"]![0]!;
        var enhanced = Ok("batchGetEnhanced")["scanningConfigurations"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)before["scanningConfigurations"]![0]!["scanFrequency"], Is.EqualTo("MANUAL"));
            Assert.That((bool?)before["scanningConfigurations"]![0]!["scanOnPush"], Is.False);
            Assert.That((string?)before["failures"]![0]!["repositoryName"], Is.EqualTo("no/such-repository"));
            Assert.That((string?)before["failures"]![0]!["failureCode"], Is.EqualTo("REPOSITORY_NOT_FOUND"));
            Assert.That((bool?)put["imageScanningConfiguration"]!["scanOnPush"], Is.True);
            Assert.That((string?)put["registryId"], Is.EqualTo(AccountId));
            Assert.That(Error("putImageScanningConfigurationMissingRepository").Name, Is.EqualTo("RepositoryNotFoundException"));
            Assert.That((string?)after["scanFrequency"], Is.EqualTo("SCAN_ON_PUSH"));
            Assert.That((bool?)after["scanOnPush"], Is.True);
            Assert.That((string?)enhanced["scanFrequency"], Is.EqualTo("CONTINUOUS_SCAN"), "rules, once put, decide alone");
            Assert.That((string?)enhanced["appliedScanFilters"]![0]!["filter"], Is.EqualTo("ecr*"));
        });
    }

    [Test]
    public void A_manual_scan_starts_once_per_day_and_is_refused_with_ecr_errors()
    {
        var started = Ok("startImageScan");
        Assert.Multiple(() =>
        {
            Assert.That((string?)started["imageScanStatus"]!["status"], Is.EqualTo("IN_PROGRESS"));
            Assert.That((string?)started["imageId"]!["imageDigest"], Is.EqualTo(_image.Digest));
            Assert.That(Error("startImageScanAgain"), Is.EqualTo(("LimitExceededException",
                "The scan quota per image has been exceeded. Wait and try again.", (int?)400)));
            Assert.That(Error("startImageScanUnknownImage").Name, Is.EqualTo("ImageNotFoundException"));
            Assert.That(Error("startImageScanInvalidRepository").Name, Is.EqualTo("InvalidParameterException"));
            Assert.That(Error("startImageScanEnhanced").Name, Is.EqualTo("ValidationException"), "no manual scans under ENHANCED");
            Assert.That(Error("findingsBeforeScan").Name, Is.EqualTo("ScanNotFoundException"));
        });
    }

    [Test]
    public void The_waiter_sees_the_scan_complete_and_the_findings_are_the_expected_ones()
    {
        Assert.That((string?)Ok("waitUntilImageScanComplete")["state"], Is.EqualTo("SUCCESS"));
        var all = Ok("findingsAll");
        var findings = all["imageScanFindings"]!["findings"]!.AsArray();
        var reported = findings
            .Select(f => ((string)f!["name"]!, (string)f["attributes"]!.AsArray().Single(a => (string?)a!["key"] == "package_name")!["value"]!))
            .OrderBy(f => f.Item1, StringComparer.Ordinal).ThenBy(f => f.Item2, StringComparer.Ordinal).ToList();
        var critical = _advisories.ExpectedFindings.Count(f => f.Id == TestAdvisories.FixedRange);
        Assert.Multiple(() =>
        {
            Assert.That((string?)all["imageScanStatus"]!["status"], Is.EqualTo("COMPLETE"));
            Assert.That(reported, Is.EqualTo(_advisories.ExpectedFindings));
            Assert.That((int?)all["imageScanFindings"]!["findingSeverityCounts"]!["CRITICAL"], Is.EqualTo(critical));
            Assert.That((string?)all["imageScanFindings"]!["imageScanCompletedAt"], Is.Not.Null);
            Assert.That(all["nextToken"], Is.Null);
        });
    }

    [Test]
    public void The_paginator_walks_every_finding_in_pages_of_the_requested_size()
    {
        var pages = Ok("paginate")["pages"]!.AsArray();
        var all = Ok("findingsAll")["imageScanFindings"]!["findings"]!.AsArray().Select(f => f!.ToJsonString()).ToList();
        var paged = pages.SelectMany(p => p!["imageScanFindings"]!["findings"]!.AsArray()).Select(f => f!.ToJsonString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.GreaterThan(2), "enough findings for more than one page");
            Assert.That(pages, Has.Count.EqualTo((all.Count + 1) / 2));
            Assert.That(pages.Take(pages.Count - 1).Select(p => p!["imageScanFindings"]!["findings"]!.AsArray().Count), Has.All.EqualTo(2));
            Assert.That(paged, Is.EqualTo(all));
            Assert.That(pages.Select(p => (string?)p!["imageScanStatus"]!["status"]), Has.All.EqualTo("COMPLETE"));
            Assert.That(Error("findingsBadToken").Name, Is.EqualTo("InvalidParameterException"));
        });
    }

    private JsonObject EnhancedOk(string step)
    {
        var result = _enhanced[step]!.AsObject();
        Assert.That(result["error"], Is.Null, $"{step}: {result.ToJsonString()}");
        return result["ok"]!.AsObject();
    }

    [Test]
    public void Enhanced_findings_are_the_lifecycle_findings_with_the_arns_the_rest_api_reports()
    {
        Assert.That((string?)EnhancedOk("waitForEnhancedFindings")["status"], Is.EqualTo("ACTIVE"));
        var all = EnhancedOk("enhancedFindingsAll");
        var enhanced = all["imageScanFindings"]!["enhancedFindings"]!.AsArray().Select(f => f!.AsObject()).ToList();
        static (string, string) Key(JsonNode f) =>
            ((string)f["packageVulnerabilityDetails"]!["vulnerabilityId"]!, (string)f["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["name"]!);
        var rest = _lifecycleFindings.ToDictionary(Key);
        Assert.Multiple(() =>
        {
            Assert.That((string?)all["imageScanStatus"]!["status"], Is.EqualTo("ACTIVE"));
            Assert.That(all["imageScanFindings"]!["findings"], Is.Null, "an ENHANCED result has no basic findings");
            Assert.That(enhanced.Select(Key).Order(), Is.EqualTo(_advisories.ExpectedFindings.Order()));
            Assert.That(enhanced.Select(f => Key(f)), Is.EquivalentTo(rest.Keys), "the same findings as GET /api/v1/findings");
            foreach (var finding in enhanced)
            {
                var same = rest[Key(finding)];
                Assert.That((string?)finding["findingArn"], Is.EqualTo((string?)same["findingArn"]), $"{Key(finding)}: the ARN Findings keeps");
                Assert.That((string?)finding["findingArn"], Does.Match($"^arn:aws:inspector2:{Region}:{AccountId}:finding/[0-9a-f]{{32}}$"));
                Assert.That((string?)finding["status"], Is.EqualTo((string?)same["status"]));
                Assert.That((string?)finding["fixAvailable"], Is.EqualTo((string?)same["fixAvailable"]));
                Assert.That(Millis(finding["firstObservedAt"]), Is.EqualTo(Millis(same["firstObservedAt"])));
                Assert.That(Millis(finding["lastObservedAt"]), Is.EqualTo(Millis(same["lastObservedAt"])));
                Assert.That((string?)finding["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["sourceLayerHash"], Does.Match("^sha256:[0-9a-f]{64}$"));
            }
            Assert.That(enhanced.Select(f => (string?)f["status"]), Has.All.EqualTo("ACTIVE"), "nothing is suppressed in this test");
        });
    }

    [Test]
    public void A_suppressed_finding_stays_listed_with_its_arn_and_status_suppressed()
    {
        var before = EnhancedOk("enhancedFindingsAll")["imageScanFindings"]!["enhancedFindings"]!.AsArray();
        var result = _suppressed["findingsAll"]!.AsObject();
        Assert.That(result["error"], Is.Null, result.ToJsonString());
        var after = result["ok"]!["imageScanFindings"]!["enhancedFindings"]!.AsArray();
        static string Vulnerability(JsonNode? f) => (string)f!["packageVulnerabilityDetails"]!["vulnerabilityId"]!;
        var expected = before.Select(f => ((string?)f!["findingArn"], Vulnerability(f) == TestAdvisories.FixedRange ? "SUPPRESSED" : "ACTIVE"));
        Assert.Multiple(() =>
        {
            Assert.That(before.Count(f => Vulnerability(f) == TestAdvisories.FixedRange), Is.GreaterThan(0), "the rule matches something");
            Assert.That(after.Select(f => ((string?)f!["findingArn"], (string?)f["status"])), Is.EquivalentTo(expected));
        });
    }

    [Test]
    public void The_paginator_walks_the_enhanced_findings_one_lifecycle_page_at_a_time()
    {
        var pages = EnhancedOk("enhancedPaginate")["pages"]!.AsArray();
        var all = EnhancedOk("enhancedFindingsAll")["imageScanFindings"]!["enhancedFindings"]!.AsArray().Select(f => f!.ToJsonString()).ToList();
        var paged = pages.SelectMany(p => p!["imageScanFindings"]!["enhancedFindings"]!.AsArray()).Select(f => f!.ToJsonString()).ToList();
        var error = _enhanced["enhancedFindingsBasicToken"]!["error"];
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.GreaterThan(2), "enough findings for more than one page");
            Assert.That(pages, Has.Count.EqualTo((all.Count + 1) / 2));
            Assert.That(pages.Take(pages.Count - 1).Select(p => p!["imageScanFindings"]!["enhancedFindings"]!.AsArray().Count), Has.All.EqualTo(2));
            Assert.That(paged, Is.EqualTo(all), "same order, no finding twice or missed");
            Assert.That((string?)error?["name"], Is.EqualTo("InvalidParameterException"), "a BASIC result's token");
        });
    }

    // The SDK turns ECR's epoch seconds (millisecond fractions) into ISO strings; the REST API writes finer DateTimeOffsets.
    private static long Millis(JsonNode? node) =>
        DateTimeOffset.Parse((string)node!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Test]
    public void DescribeImages_reports_the_scan_status_and_findings_summary()
    {
        var detail = Ok("describeImagesAfterScan")["imageDetails"]![0]!;
        var findings = Ok("findingsAll")["imageScanFindings"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)detail["imageScanStatus"]!["status"], Is.EqualTo("COMPLETE"));
            Assert.That(JsonNode.DeepEquals(detail["imageScanFindingsSummary"]!["findingSeverityCounts"], findings["findingSeverityCounts"]), Is.True);
            Assert.That((string?)detail["imageScanFindingsSummary"]!["imageScanCompletedAt"], Is.EqualTo((string?)findings["imageScanCompletedAt"]));
        });
    }

    [Test]
    public void Badly_signed_requests_get_the_errors_a_real_endpoint_gives()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Error("wrongSecret").Name, Is.EqualTo("InvalidSignatureException"));
            Assert.That(Error("wrongSecret").Message, Does.StartWith("The request signature we calculated does not match"));
            Assert.That(Error("unknownAccessKey").Name, Is.EqualTo("UnrecognizedClientException"));
        });
    }

    [Test]
    public async Task An_unsigned_request_gets_missing_authentication_token()
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
        var response = await anonymous.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)body["__type"], Is.EqualTo("MissingAuthenticationTokenException"));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-amz-json-1.1"));
            Assert.That(_platform.Logs, Does.Not.Contain(SecretAccessKey), "the secret is never logged");
        });
    }
}

public sealed class StandaloneEcrApiTests : EcrApiTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
}

public sealed class DistributedEcrApiTests : EcrApiTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartDistributedAsync(gatewayPort, environment);
}
