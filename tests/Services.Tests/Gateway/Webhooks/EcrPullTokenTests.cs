using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Aws;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Extensions.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Pulling from an ECR registry: the scanners' registry client gets an authorization token from GetAuthorizationToken, signed
/// with SigV4 and checked by the project's verifier in a local stand-in (<see cref="EcrApiStandIn"/>), then pulls with
/// AWS:password from a real docker-registry whose htpasswd accepts it, as ECR's registry accepts the token. The request's shape
/// is checked against botocore's ECR model and against what the AWS CLI itself sends (Debian package awscli).
/// </summary>
[NonParallelizable]
public sealed class EcrPullTokenTests
{
    private const string Region = "us-west-2";
    private const string AccessKeyId = "AKIAECRPULLTEST";
    private const string Secret = "ecr-pull-secret/with+chars";
    private const string TokenPassword = "eyJwYXlsb2FkIjoiZWNyLXRva2VuIn0";
    private const string ModelGlob = "/usr/lib/python3/dist-packages/awscli/botocore/data/ecr";

    private string work = null!;
    private RegistryServer registry = null!;
    private EcrApiStandIn api = null!;
    private PushedImage pushed = null!;

    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        work = Directory.CreateTempSubdirectory("gateway-ecr-pull-").FullName;
        var image = await TestImages.Builder().Layer(r => r.WriteFile("etc/ecr-test", "pulled with an ECR token\n")).BuildAsync("v1", work);
        registry = await RegistryServer.StartAsync(new RegistryServerOptions { BasicAuthUsers = new Dictionary<string, string> { ["AWS"] = TokenPassword } });
        pushed = await TestImages.PushAsync(image, registry, "team/app", "v1", credentials: "AWS:" + TokenPassword);
    }

    /// <summary>A stand-in per test: its verifier refuses a replayed signature, and two tests' first requests may share their second.</summary>
    [SetUp]
    public async Task StartApi() => api = await EcrApiStandIn.StartAsync(Region, AccessKeyId, Secret, TokenPassword);

    [TearDown]
    public async Task StopApi() => await api.DisposeAsync();

    [OneTimeTearDown]
    public async Task Stop()
    {
        await registry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    private ServiceProvider Services(string secret = Secret, TimeProvider? clock = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = "ecr-prod",
            ["Registries:0:Url"] = registry.Url.ToString(),
            ["Registries:0:Ecr:AccountId"] = "123456789012",
            ["Registries:0:Ecr:Region"] = Region,
            ["Registries:0:Ecr:AccessKeyId"] = AccessKeyId,
            ["Registries:0:Ecr:SecretAccessKey"] = secret,
            ["Registries:0:Ecr:ApiUrl"] = api.Url.ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        if (clock is not null) services.AddSingleton(clock);
        services.AddRegistryClients(configuration.GetSection("Registries"), o => o.MaxRetryAttempts = 0);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task A_pull_gets_a_verified_token_and_reads_the_image_with_it_and_a_second_client_reuses_the_token()
    {
        await using var services = Services();
        var before = api.Requests.Count;

        var result = await services.GetRequiredService<ImageReader>().ReadAsync("ecr-prod", "team/app", "v1",
            p => p.StartsWith("etc/", StringComparison.Ordinal), CancellationToken.None);
        await services.GetRequiredService<IRegistryClientFactory>().For("ecr-prod").GetManifestAsync("team/app", pushed.Digest, CancellationToken.None);

        Assert.That(result.ManifestDigest, Is.EqualTo(pushed.Digest));
        Assert.That(result.Files.Final.TryGet("etc/ecr-test", out _), Is.True);
        var calls = api.Requests.Skip(before).ToList();
        Assert.That(calls, Has.Count.EqualTo(1), "one token for manifest, config, layer and the next client");
        Assert.That(calls[0].Refusal, Is.Null, "the stand-in verified the signature");
    }

    /// <summary>The Gateway's lookup of an event without a media type pulls the manifest with an ECR token too.</summary>
    [Test]
    public async Task An_ecr_push_event_is_completed_from_the_registry_with_an_ecr_token()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-ecr-event-").FullName;
        var logs = new CapturedLogs();
        try
        {
            await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?>
            {
                ["Registries:0:Url"] = registry.Url.ToString(),
                ["Registries:0:Ecr:AccountId"] = "123456789012",
                ["Registries:0:Ecr:Region"] = Region,
                ["Registries:0:Ecr:AccessKeyId"] = AccessKeyId,
                ["Registries:0:Ecr:SecretAccessKey"] = Secret,
                ["Registries:0:Ecr:ApiUrl"] = api.Url.ToString(),
            }, bus =>
            {
                bus.AddSingleton<CapturedImageEvents>();
                bus.AddConsumer<ImageEventCapture>();
            }, logs);
            var body = File.ReadAllText(Corpus.PathOf("webhooks", "aws-eventbridge", "ecr-image-action-push.json"))
                .Replace("sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234", pushed.Digest, StringComparison.Ordinal)
                .Replace("my-repository-name", "team/app", StringComparison.Ordinal);

            var answer = await gateway.PostAsync("/webhooks/ecr/local", body, new Dictionary<string, string> { ["Authorization"] = GatewayHost.WebhookToken });

            Assert.That(answer.Events.Single().Outcome, Is.EqualTo("accepted"), answer.ToString());
            var push = (await gateway.WaitForPushesAsync(1)).Single();
            Assert.That((push.Repository, push.Digest, push.MediaType), Is.EqualTo(("team/app", pushed.Digest, "application/vnd.oci.image.manifest.v1+json")));
            Assert.That(api.Requests.Select(r => r.Refusal), Is.EqualTo(new string?[] { null }), "one verified token request");
            var logged = string.Join("\n", logs.Entries.Select(e => e.Message));
            Assert.That(logs.Entries, Is.Not.Empty);
            Assert.That(logged, Does.Not.Contain(Secret).And.Not.Contain(TokenPassword), "neither the secret key nor the token is logged");
        }
        finally
        {
            WebhookRequests.DeleteDirectory(directory);
        }
    }

    [Test]
    public async Task A_token_is_renewed_shortly_before_it_expires()
    {
        var clock = new MovableClock();
        await using var services = Services(clock: clock);
        var factory = services.GetRequiredService<IRegistryClientFactory>();
        var before = api.Requests.Count;

        await factory.For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None);
        clock.Offset = TimeSpan.FromHours(11.9);
        await factory.For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None);
        Assert.That(api.Requests.Count - before, Is.EqualTo(1), "six minutes before expiry the token is still used");

        clock.Offset = TimeSpan.FromHours(11.95);
        await factory.For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None);
        Assert.That(api.Requests.Count - before, Is.EqualTo(2), "three minutes before expiry it is renewed");
        Assert.That(api.Requests.Skip(before).Select(r => r.Refusal), Is.All.Null);
    }

    [Test]
    public async Task A_wrong_secret_fails_with_access_denied_naming_the_registry_and_not_the_secret()
    {
        await using var services = Services(secret: "not-the-secret");

        var e = Assert.ThrowsAsync<ScanException>(() =>
            services.GetRequiredService<IRegistryClientFactory>().For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.StartWith("ECR API of registry 'ecr-prod' refused GetAuthorizationToken (HTTP 400 InvalidSignatureException"));
        Assert.That(e.Message, Does.Not.Contain("not-the-secret").And.Not.Contain(Secret));
        Assert.That(api.Requests[^1].Refusal, Is.EqualTo("InvalidSignatureException"));
    }

    [Test]
    public void The_api_host_comes_from_the_region_alone()
    {
        var ecr = new EcrRegistryOptions { AccountId = "123456789012", Region = "eu-central-1" };
        Assert.That(ecr.ApiEndpoint(), Is.EqualTo(new Uri("https://api.ecr.eu-central-1.amazonaws.com/")));
        Assert.That(new EcrRegistryOptions { AccountId = "1234", Region = "eu-central-1" }.Problem("r"), Does.Contain("12-digit"));
        Assert.That(new EcrRegistryOptions { AccountId = "123456789012", Region = "evil.example.com/x" }.Problem("r"), Does.Contain("not an AWS region"));
        Assert.That(new EcrRegistryOptions { AccountId = "123456789012", Region = "us-west-2", AccessKeyId = "AKIA" }.Problem("r"), Does.Contain("no Ecr:SecretAccessKey"));
    }

    /// <summary>botocore's ECR model: protocol json 1.1, the target prefix, signing name ecr, POST /, and the endpoint prefix.</summary>
    [Test]
    public async Task The_request_matches_the_botocore_model_of_GetAuthorizationToken()
    {
        var models = Directory.Exists(ModelGlob) ? Directory.GetFiles(ModelGlob, "service-2.json", SearchOption.AllDirectories) : [];
        Assert.That(models, Is.Not.Empty, "awscli's botocore ECR model (Debian package awscli, in tests/run.sh's requirements)");
        using var model = JsonDocument.Parse(await File.ReadAllTextAsync(models.Order(StringComparer.Ordinal).Last()));
        var metadata = model.RootElement.GetProperty("metadata");
        var http = model.RootElement.GetProperty("operations").GetProperty("GetAuthorizationToken").GetProperty("http");
        await using var services = Services();
        var before = api.Requests.Count;
        await services.GetRequiredService<IRegistryClientFactory>().For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None);

        var sent = api.Requests[before];
        Assert.Multiple(() =>
        {
            Assert.That(metadata.GetProperty("protocol").GetString(), Is.EqualTo("json"));
            Assert.That(metadata.GetProperty("signingName").GetString(), Is.EqualTo("ecr"));
            Assert.That(sent.Method, Is.EqualTo(http.GetProperty("method").GetString()));
            Assert.That(sent.Path, Is.EqualTo(http.GetProperty("requestUri").GetString()));
            Assert.That(sent.Headers["x-amz-target"], Is.EqualTo(metadata.GetProperty("targetPrefix").GetString() + ".GetAuthorizationToken"));
            Assert.That(sent.Headers["content-type"], Is.EqualTo("application/x-amz-json-" + metadata.GetProperty("jsonVersion").GetString()));
            Assert.That(sent.Headers["authorization"], Does.Contain($"/{Region}/{metadata.GetProperty("signingName").GetString()}/aws4_request"));
            Assert.That(sent.Body, Is.EqualTo("{}"));
            Assert.That(new EcrRegistryOptions { Region = Region }.ApiEndpoint().Host,
                Is.EqualTo($"{metadata.GetProperty("endpointPrefix").GetString()}.{Region}.amazonaws.com"));
        });
    }

    private static string SignedHeaders(EcrApiRequest request) =>
        request.Headers["authorization"].Split(", ").Single(p => p.StartsWith("SignedHeaders=", StringComparison.Ordinal));

    /// <summary>The AWS CLI's own GetAuthorizationToken to the stand-in: the same wire shape as ours, and our verifier accepts it.</summary>
    [Test]
    public async Task The_aws_cli_sends_the_same_request_and_reads_the_same_answer()
    {
        // Debian's CLI v2 by full path: a pyenv aws (v1) on PATH must not stand in for it. (EndToEnd.Tests' AwsCli runner does
        // the same; Services.Tests does not reference that project, so the path is repeated here until the runner moves to TestSupport.)
        const string aws = "/usr/bin/aws";
        Assert.That(File.Exists(aws), Is.True, "the AWS CLI (Debian package awscli, in tests/run.sh's requirements)");
        var home = Directory.CreateTempSubdirectory("gateway-ecr-awscli-").FullName;
        try
        {
            var before = api.Requests.Count;
            var cli = await ProcessRunner.RunAsync(aws, ["ecr", "get-authorization-token", "--endpoint-url", api.Url.ToString(), "--region", Region, "--output", "json"],
                timeout: TimeSpan.FromMinutes(1), environment: new Dictionary<string, string>
                {
                    ["AWS_ACCESS_KEY_ID"] = AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = Secret, ["HOME"] = home,
                    ["AWS_CONFIG_FILE"] = Path.Combine(home, "config"), ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "credentials"),
                    ["AWS_EC2_METADATA_DISABLED"] = "true", ["AWS_PAGER"] = "",
                });
            var theirs = api.Requests[before];
            // A stand-in of its own: within the same second our request is the CLI's to the byte (same signature), and the verifier refuses replays.
            await api.DisposeAsync();
            api = await EcrApiStandIn.StartAsync(Region, AccessKeyId, Secret, TokenPassword);
            await using var services = Services();
            await services.GetRequiredService<IRegistryClientFactory>().For("ecr-prod").GetManifestAsync("team/app", "v1", CancellationToken.None);
            var ours = api.Requests[^1];

            using var answer = JsonDocument.Parse(cli.StandardOutput);
            var token = answer.RootElement.GetProperty("authorizationData")[0].GetProperty("authorizationToken").GetString()!;
            Assert.Multiple(() =>
            {
                Assert.That(theirs.Refusal, Is.Null, "the project's verifier accepts the CLI's signature");
                Assert.That((ours.Method, ours.Path, ours.Body), Is.EqualTo((theirs.Method, theirs.Path, theirs.Body)));
                Assert.That(ours.Headers["x-amz-target"], Is.EqualTo(theirs.Headers["x-amz-target"]));
                Assert.That(ours.Headers["content-type"], Is.EqualTo(theirs.Headers["content-type"]));
                Assert.That(SignedHeaders(ours), Is.EqualTo(SignedHeaders(theirs)));
                Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(token)), Is.EqualTo("AWS:" + TokenPassword));
            });
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
