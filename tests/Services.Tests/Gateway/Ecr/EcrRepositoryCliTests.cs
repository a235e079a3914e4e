using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.Services.Tests.ScanRouter;
using ImageScanning.Services.Tests.Security;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>
/// The AWS CLI walk-through of a repository's life against the whole platform in one process (<see cref="StandaloneHost"/>): the real
/// AWS CLI v2 from Debian (/usr/bin/aws) signs each call; describe-registry, create-repository, the repository in
/// describe-repositories, describe-images and the REST catalog before any push ("Scanning off" under ENHANCED with no matching
/// rule), a push by registry notification, delete-repository refused without --force and done with it, and scopes.
/// </summary>
[NonParallelizable]
public sealed class EcrRepositoryCliTests
{
    private const string Aws = "/usr/bin/aws";
    private const string AccountId = "123456789012";
    private const string Region = "eu-west-3";
    private const string FullKey = "AKIAREPOSITORYCLI001";
    private const string FullSecret = "repository-cli-secret/Kx7+q9w2";
    private const string Repository = "team/cli";

    private StandaloneHost _host = null!;
    private string _home = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Assert.That(File.Exists(Aws), Is.True, "the AWS CLI v2 (Debian package awscli)");
        _home = Directory.CreateTempSubdirectory("ecr-repository-cli-").FullName;
        _host = await StandaloneHost.StartAsync(new Dictionary<string, string?>
        {
            ["Aws:AccountId"] = AccountId,
            ["Aws:Region"] = Region,
            ["Aws:AccessKeys:2:AccessKeyId"] = FullKey,
            ["Aws:AccessKeys:2:SecretAccessKey"] = FullSecret,
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private async Task<ProcessResult> CliAsync(string accessKeyId, string secret, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(Aws,
            ["ecr", .. arguments, "--endpoint-url", _host.Client.BaseAddress!.ToString(), "--region", Region, "--output", "json"],
            timeout: TimeSpan.FromMinutes(1), throwOnError: false, environment: new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = accessKeyId, ["AWS_SECRET_ACCESS_KEY"] = secret, ["HOME"] = _home,
                ["AWS_CONFIG_FILE"] = Path.Combine(_home, "config"), ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_home, "credentials"),
                ["AWS_EC2_METADATA_DISABLED"] = "true", ["AWS_PAGER"] = "",
            });
        return result;
    }

    private async Task<JsonObject> OkAsync(params string[] arguments)
    {
        var result = await CliAsync(FullKey, FullSecret, arguments);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        return result.StandardOutput.Trim().Length == 0 ? [] : JsonNode.Parse(result.StandardOutput)!.AsObject();
    }

    /// <summary>The CLI's error line: "An error occurred (Type) when calling the Op operation: message".</summary>
    private async Task<string> FailsAsync(string accessKeyId, string secret, params string[] arguments)
    {
        var result = await CliAsync(accessKeyId, secret, arguments);
        Assert.That(result.ExitCode, Is.Not.Zero, result.StandardOutput);
        return result.StandardError.Trim();
    }

    private async Task<JsonObject> RestAsync(string path)
    {
        var response = await _host.SendAsync(HttpMethod.Get, path, StandaloneHost.TokenFor(TokenScopes.Read));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<JsonObject?> CatalogEntryAsync() =>
        (await RestAsync("/api/v1/registries/local/repositories"))["repositories"]!.AsArray()
        .Select(r => r!.AsObject()).FirstOrDefault(r => (string?)r["repositoryName"] == Repository);

    [Test]
    public async Task A_repository_is_created_seen_before_its_first_push_and_deleted_with_the_aws_cli()
    {
        var registry = await OkAsync("describe-registry");
        Assert.That(registry.ToJsonString(), Is.EqualTo($$$"""{"registryId":"{{{AccountId}}}","replicationConfiguration":{"rules":[]}}"""));

        var before = DateTimeOffset.UtcNow;
        var created = (await OkAsync("create-repository", "--repository-name", Repository, "--image-tag-mutability", "IMMUTABLE",
            "--image-scanning-configuration", "scanOnPush=true", "--encryption-configuration", "encryptionType=AES256",
            "--tags", "Key=team,Value=platform"))["repository"]!.AsObject();
        // The CLI prints the wire's epoch seconds as an ISO 8601 time.
        var createdAt = DateTimeOffset.Parse((string)created["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That((string?)created["repositoryArn"], Is.EqualTo($"arn:aws:ecr:{Region}:{AccountId}:repository/{Repository}"));
            Assert.That((string?)created["registryId"], Is.EqualTo(AccountId));
            Assert.That((string?)created["repositoryName"], Is.EqualTo(Repository));
            Assert.That((string?)created["repositoryUri"], Is.EqualTo($"127.0.0.1:9/{Repository}"), "the configured registry's host");
            Assert.That(createdAt, Is.InRange(before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
            Assert.That((string?)created["imageTagMutability"], Is.EqualTo("IMMUTABLE"));
            Assert.That(created["imageScanningConfiguration"]!.ToJsonString(), Is.EqualTo("""{"scanOnPush":true}"""));
            Assert.That(created["encryptionConfiguration"]!.ToJsonString(), Is.EqualTo("""{"encryptionType":"AES256"}"""));
        });

        Assert.That(await FailsAsync(FullKey, FullSecret, "create-repository", "--repository-name", Repository), Is.EqualTo(
            $"An error occurred (RepositoryAlreadyExistsException) when calling the CreateRepository operation: The repository with name '{Repository}' already exists in the registry with id '{AccountId}'"));
        Assert.That(await FailsAsync(StandaloneHost.EcrReadKey, StandaloneHost.EcrReadSecret, "create-repository", "--repository-name", "team/read-only"),
            Does.StartWith("An error occurred (AccessDeniedException) when calling the CreateRepository operation").And.Contain("'write' scope"));
        Assert.That(await FailsAsync(FullKey, FullSecret, "create-repository", "--repository-name", "team/kms",
            "--encryption-configuration", "encryptionType=KMS"), Does.Contain("(InvalidParameterException)").And.Contain("KMS"));

        // Before any push: DescribeRepositories (createdAt as created), DescribeImages (empty), the REST catalog and the console's label.
        var described = (await OkAsync("describe-repositories", "--repository-names", Repository))["repositories"]!.AsArray().Single()!;
        Assert.That(described.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That((await OkAsync("describe-images", "--repository-name", Repository))["imageDetails"]!.AsArray(), Is.Empty);
        await OkAsync("put-registry-scanning-configuration", "--scan-type", "ENHANCED",
            "--rules", """[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"prod-*","filterType":"WILDCARD"}]}]""");
        var entry = await CatalogEntryAsync();
        Assert.That(entry, Is.Not.Null, "in the REST catalog before its first push");
        Assert.That(((int?)entry!["imageCount"], (bool?)entry["scanningEnabled"], (string?)entry["scanFrequencyLabel"]),
            Is.EqualTo(((int?)0, (bool?)false, "Scanning off")), "no rule selects it: honestly off");

        // A push (the registry's notification), then delete-repository: refused while it holds the image, done with --force.
        await PushAsync();
        await ScanRouterHost.WaitUntilAsync(async () => (int?)(await CatalogEntryAsync())?["imageCount"] == 1, "the pushed image is catalogued");
        Assert.That((await OkAsync("describe-repositories", "--repository-names", Repository))["repositories"]![0]!["createdAt"]!.ToJsonString(),
            Is.EqualTo(created["createdAt"]!.ToJsonString()), "a push keeps the creation time");
        Assert.That(await FailsAsync(FullKey, FullSecret, "delete-repository", "--repository-name", Repository), Is.EqualTo(
            $"An error occurred (RepositoryNotEmptyException) when calling the DeleteRepository operation: The repository with name '{Repository}' in registry with id '{AccountId}' cannot be deleted because it still contains images"));
        Assert.That(await FailsAsync(StandaloneHost.EcrReadKey, StandaloneHost.EcrReadSecret, "delete-repository", "--repository-name", Repository, "--force"),
            Does.Contain("(AccessDeniedException)"));

        var deleted = (await OkAsync("delete-repository", "--repository-name", Repository, "--force"))["repository"]!.AsObject();
        Assert.That(deleted.ToJsonString(), Is.EqualTo(created.ToJsonString()), "DeleteRepository answers the repository as it was");
        Assert.That(await FailsAsync(FullKey, FullSecret, "describe-repositories", "--repository-names", Repository), Is.EqualTo(
            $"An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name '{Repository}' does not exist in the registry with id '{AccountId}'"));
        Assert.That(await FailsAsync(FullKey, FullSecret, "delete-repository", "--repository-name", Repository), Does.Contain("(RepositoryNotFoundException)"));
        Assert.That(await CatalogEntryAsync(), Is.Null, "gone from the REST catalog");
    }

    /// <summary>A distribution notification of one manifest push into the repository, as registry "local" sends it.</summary>
    private async Task PushAsync()
    {
        var digest = "sha256:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var body = $$$"""
            {"events":[{"id":"{{{Guid.NewGuid()}}}","timestamp":"{{{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}}","action":"push",
             "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{digest}}}","repository":"{{{Repository}}}","tag":"v1"},
             "request":{"useragent":"docker/27.0"}}]}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/distribution/local")
        {
            Content = new StringContent(body, Encoding.UTF8, GatewayHost.NotificationMediaType),
        };
        request.Headers.Authorization = new("Bearer", StandaloneHost.WebhookToken);
        var response = await _host.Client.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }
}
