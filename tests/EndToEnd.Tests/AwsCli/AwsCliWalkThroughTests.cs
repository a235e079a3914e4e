using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>
/// The seed's walk-through as a new user types it: Debian's AWS CLI v2 against the platform, a real docker-registry
/// notifying the Gateway and a real Debian image pushed with skopeo. One step per test, in the walk-through's order
/// (<see cref="OrderAttribute"/>); each asserts the values the CLI printed. ECR steps here, Inspector2 steps in
/// AwsCliWalkThroughTests.Inspector.cs. Runs in both modes: one process on the in-memory bus, and every service in
/// its own process on RabbitMQ.
/// </summary>
[NonParallelizable]
public abstract partial class AwsCliWalkThroughTests
{
    private const string WebhookToken = "cli-webhook-token";
    private const string ApiToken = "cli-api-token";
    private const string AccessKeyId = "AKIACLIWALKTHROUGH01";
    private const string SecretAccessKey = "cli-walk-secret/Zq4+r8w1";
    private const string AccountId = "123456789012";
    private const string Region = "us-west-2";
    private const string Prod = "scanrepo-prod";
    private const string Test = "scanrepo-test";
    private const string Tag = "bookworm";
    private static readonly string[] Repositories = [Prod, Test];

    // The walk-through's registry scanning configuration: scanrepo-prod matches both rules and CONTINUOUS_SCAN wins,
    // scanrepo-test matches only the scan-on-push rule (INTERFACES §1.3).
    private const string ScanningRules =
        """[{"repositoryFilters":[{"filter":"scanrepo-prod","filterType":"WILDCARD"}],"scanFrequency":"CONTINUOUS_SCAN"},"""
        + """{"repositoryFilters":[{"filter":"scanrepo-*","filterType":"WILDCARD"}],"scanFrequency":"SCAN_ON_PUSH"}]""";

    private RegistryServer _registry = null!;
    private RunningPlatform _platform = null!;
    private string _work = "";
    private DebianTestImage.BuiltImage _debian = null!;
    private TestAdvisories _advisories = null!;
    private AwsCli _aws = null!;

    /// <summary>Step 3's pushes and step 4's ECR answers, by repository; the Inspector2 steps compare against them.</summary>
    private readonly Dictionary<string, PushedImage> _pushed = [];
    private readonly Dictionary<string, JsonObject> _ecrFindings = [];

    protected abstract Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (AwsCli.Missing() is { } missing) Assert.Fail(missing);
        _debian = await DebianTestImage.GetAsync();
        _advisories = new TestAdvisories(_debian.Packages);
        _work = Directory.CreateTempSubdirectory("imagescanning-e2e-awscli-").FullName;
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, Path.Combine(_work, "data"));
        // One AWS identity for every ARN and envelope (ECR, Inspector2, EventBridge).
        environment["Aws__AccountId"] = AccountId;
        environment["Aws__Region"] = Region;
        environment["Aws__AccessKeys__0__AccessKeyId"] = AccessKeyId;
        environment["Aws__AccessKeys__0__SecretAccessKey"] = SecretAccessKey;
        AddSbomBucket(environment);
        _platform = await StartPlatformAsync(gatewayPort, environment);
        _aws = new AwsCli(_platform.GatewayUrl, Region, AccessKeyId, SecretAccessKey);

        var zip = new ByteArrayContent(_advisories.ToZip());
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var feed = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var imported = await feed.PostAsync("/api/v1/advisories", zip);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());
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

    private static string RepositoryArn(string repository) => $"arn:aws:ecr:{Region}:{AccountId}:repository/{repository}";

    private string ImageArn(string repository) => $"{RepositoryArn(repository)}/{Pushed(repository).Digest}";

    private PushedImage Pushed(string repository) =>
        _pushed.TryGetValue(repository, out var image) ? image : throw new AssertionException($"step 3 did not push {repository}");

    /// <summary>The enhanced findings ECR printed for the repository's image in step 4.</summary>
    private List<JsonObject> EcrFindings(string repository) =>
        _ecrFindings.TryGetValue(repository, out var answer)
            ? answer["imageScanFindings"]!["enhancedFindings"]!.AsArray().Select(f => f!.AsObject()).ToList()
            : throw new AssertionException($"step 3 saw no completed scan of {repository}");

    [Test, Order(1)]
    public async Task Step01_create_repository_creates_both_repositories()
    {
        foreach (var repository in Repositories)
        {
            var created = (await _aws.OkAsync("ecr", "create-repository", "--repository-name", repository))["repository"]!;
            Assert.Multiple(() =>
            {
                Assert.That((string?)created["repositoryName"], Is.EqualTo(repository));
                Assert.That((string?)created["repositoryArn"], Is.EqualTo(RepositoryArn(repository)));
                Assert.That((string?)created["registryId"], Is.EqualTo(AccountId));
                Assert.That((string?)created["createdAt"], Is.Not.Null);
            });
        }
        var again = await _aws.RunAsync("ecr", "create-repository", "--repository-name", Prod);
        Assert.That(again.ErrorCode, Is.EqualTo("RepositoryAlreadyExistsException"), again.ToString());
        var described = await _aws.OkAsync(["ecr", "describe-repositories", "--repository-names", .. Repositories]);
        Assert.That(described["repositories"]!.AsArray().Select(r => (string?)r!["repositoryName"]), Is.EquivalentTo(Repositories));
    }

    [Test, Order(2)]
    public async Task Step02_the_seeds_scanning_configuration_is_put_and_read_back()
    {
        var put = await _aws.OkAsync("ecr", "put-registry-scanning-configuration", "--scan-type", "ENHANCED", "--rules", ScanningRules);
        var got = await _aws.OkAsync("ecr", "get-registry-scanning-configuration");
        var rules = JsonNode.Parse(ScanningRules)!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)put["registryScanningConfiguration"]!["scanType"], Is.EqualTo("ENHANCED"));
            Assert.That(JsonNode.DeepEquals(put["registryScanningConfiguration"]!["rules"], rules), Is.True, put.ToJsonString());
            Assert.That((string?)got["registryId"], Is.EqualTo(AccountId));
            Assert.That((string?)got["scanningConfiguration"]!["scanType"], Is.EqualTo("ENHANCED"));
            Assert.That(JsonNode.DeepEquals(got["scanningConfiguration"]!["rules"], rules), Is.True, got.ToJsonString());
        });
    }

    [Test, Order(3)]
    public async Task Step03_both_pushes_are_scanned_by_the_enhanced_scanner()
    {
        foreach (var repository in Repositories)
            _pushed[repository] = await TestImages.PushAsync(_debian.Layout, _registry, repository, Tag);
        // The CLI's image-scan-complete waiter only accepts COMPLETE, a BASIC status; an ENHANCED result reads ACTIVE,
        // so the walk-through polls describe-image-scan-findings until every expected finding is listed.
        foreach (var repository in Repositories)
            _ecrFindings[repository] = await WaitForEnhancedFindingsAsync(repository, _advisories.ExpectedFindings.Count);
        Assert.That(_ecrFindings.Keys, Is.EquivalentTo(Repositories));
    }

    private async Task<JsonObject> WaitForEnhancedFindingsAsync(string repository, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        AwsCliResult last;
        do
        {
            last = await _aws.RunAsync("ecr", "describe-image-scan-findings", "--repository-name", repository, "--image-id", "imageTag=" + Tag);
            if (last.ExitCode == 0
                && (string?)last.Json!["imageScanStatus"]?["status"] == "ACTIVE"
                && last.Json["imageScanFindings"]?["enhancedFindings"]?.AsArray().Count == expected)
                return last.Json.AsObject();
            await Task.Delay(TimeSpan.FromSeconds(2));
        } while (DateTime.UtcNow < deadline);
        throw new AssertionException($"{repository}: no enhanced result with {expected} findings within 4 minutes. Last: {last}");
    }

    [Test, Order(4)]
    public void Step04_describe_image_scan_findings_names_every_finding_in_the_one_account_and_region()
    {
        foreach (var repository in Repositories)
        {
            var answer = _ecrFindings.GetValueOrDefault(repository) ?? throw new AssertionException($"step 3 saw no scan of {repository}");
            var findings = EcrFindings(repository);
            Assert.Multiple(() =>
            {
                Assert.That((string?)answer["registryId"], Is.EqualTo(AccountId));
                Assert.That((string?)answer["imageId"]!["imageDigest"], Is.EqualTo(Pushed(repository).Digest));
                Assert.That(answer["imageScanFindings"]!["findings"], Is.Null, "an ENHANCED result has no basic findings");
                Assert.That(findings.Select(FindingKey).Order(), Is.EqualTo(_advisories.ExpectedFindings.Order()), repository);
                foreach (var finding in findings)
                {
                    Assert.That((string?)finding["findingArn"], Does.Match($"^arn:aws:inspector2:{Region}:{AccountId}:finding/[0-9a-f]{{32}}$"));
                    Assert.That((string?)finding["awsAccountId"], Is.EqualTo(AccountId));
                    Assert.That((string?)finding["status"], Is.EqualTo("ACTIVE"));
                    var resource = finding["resources"]![0]!;
                    Assert.That((string?)resource["id"], Is.EqualTo(ImageArn(repository)));
                    Assert.That((string?)resource["type"], Is.EqualTo("AWS_ECR_CONTAINER_IMAGE"));
                    Assert.That((string?)resource["details"]!["awsEcrContainerImage"]!["repositoryName"], Is.EqualTo(repository));
                    Assert.That((string?)resource["details"]!["awsEcrContainerImage"]!["imageHash"], Is.EqualTo(Pushed(repository).Digest));
                }
                var critical = findings.Where(f => (string?)f["severity"] == "CRITICAL").Select(f => FindingKey(f).Id).Distinct();
                Assert.That(critical, Is.EqualTo(new[] { TestAdvisories.FixedRange }), "the one advisory with a CVSS 9.8 vector");
            });
        }
        var prodArns = EcrFindings(Prod).Select(f => (string?)f["findingArn"]);
        Assert.That(prodArns.Intersect(EcrFindings(Test).Select(f => (string?)f["findingArn"])), Is.Empty, "a finding per image");
    }

    [Test, Order(5)]
    public async Task Step05_batch_get_repository_scanning_configuration_reports_the_rule_each_repository_matched()
    {
        var answer = await _aws.OkAsync(["ecr", "batch-get-repository-scanning-configuration", "--repository-names", .. Repositories]);
        var configurations = answer["scanningConfigurations"]!.AsArray().ToDictionary(c => (string)c!["repositoryName"]!, c => c!);
        Assert.Multiple(() =>
        {
            Assert.That(answer["failures"]?.AsArray() ?? [], Is.Empty);
            Assert.That(configurations.Keys, Is.EquivalentTo(Repositories));
            Assert.That((string?)configurations[Prod]["repositoryArn"], Is.EqualTo(RepositoryArn(Prod)));
            Assert.That((string?)configurations[Prod]["scanFrequency"], Is.EqualTo("CONTINUOUS_SCAN"), "CONTINUOUS_SCAN wins over SCAN_ON_PUSH");
            Assert.That(JsonNode.DeepEquals(configurations[Prod]["appliedScanFilters"],
                JsonNode.Parse("""[{"filter":"scanrepo-prod","filterType":"WILDCARD"}]""")), Is.True, configurations[Prod].ToJsonString());
            Assert.That((string?)configurations[Test]["repositoryArn"], Is.EqualTo(RepositoryArn(Test)));
            Assert.That((string?)configurations[Test]["scanFrequency"], Is.EqualTo("SCAN_ON_PUSH"));
            Assert.That(JsonNode.DeepEquals(configurations[Test]["appliedScanFilters"],
                JsonNode.Parse("""[{"filter":"scanrepo-*","filterType":"WILDCARD"}]""")), Is.True, configurations[Test].ToJsonString());
        });
    }

    /// <summary>A finding's (vulnerability id, package name), the pair <see cref="TestAdvisories.ExpectedFindings"/> lists.</summary>
    private static (string Id, string Package) FindingKey(JsonNode finding) =>
        ((string)finding["packageVulnerabilityDetails"]!["vulnerabilityId"]!,
         (string)finding["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!["name"]!);
}

public sealed class StandaloneAwsCliWalkThroughTests : AwsCliWalkThroughTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
}

public sealed class DistributedAwsCliWalkThroughTests : AwsCliWalkThroughTests
{
    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartDistributedAsync(gatewayPort, environment);
}
