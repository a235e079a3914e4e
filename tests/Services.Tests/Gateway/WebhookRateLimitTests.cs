using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// Registry webhooks are rate limited per registry and per token: over a limit a notification is answered 429 with Retry-After
/// (the registry sends it again later, nothing is lost) and stores nothing; another registry, or another token, is unaffected.
/// </summary>
[NonParallelizable]
public sealed class WebhookRateLimitTests
{
    private const string OtherToken = "other-registry-webhook-token";
    private const string AnyRegistryToken = "any-registry-webhook-scope-token";
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-rate-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private Task<GatewayHost> StartAsync(int perRegistry, int perToken) => GatewayHost.StartAsync(directory, new Dictionary<string, string?>
    {
        ["Registries:1:Name"] = "other",
        ["Registries:1:WebhookToken"] = OtherToken,
        ["Security:Tokens:0:Name"] = "relay",
        ["Security:Tokens:0:Token"] = AnyRegistryToken,
        ["Security:Tokens:0:Scopes:0"] = "webhook",
        ["Gateway:Webhooks:RateLimit:PermitsPerRegistry"] = perRegistry.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway:Webhooks:RateLimit:PermitsPerToken"] = perToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway:Webhooks:RateLimit:Window"] = "01:00:00",
    });

    private static async Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string registry, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/distribution/{registry}")
        {
            Content = new StringContent(GatewayHost.Notification().Body, Encoding.UTF8, GatewayHost.NotificationMediaType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await gateway.Client.SendAsync(request);
    }

    [Test]
    public async Task A_registry_over_its_limit_is_answered_429_with_retry_after_and_another_registry_is_not()
    {
        await using var gateway = await StartAsync(perRegistry: 3, perToken: 100);

        var local = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++) local.Add(await PostAsync(gateway, "local", GatewayHost.WebhookToken));
        var other = await PostAsync(gateway, "other", OtherToken);
        var stored = await GatewayHost.OutboxRowsAsync(directory);

        Assert.Multiple(async () =>
        {
            Assert.That(local.Take(3).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Accepted));
            Assert.That(local[3].StatusCode, Is.EqualTo((HttpStatusCode)429), "over the registry's limit");
            Assert.That(local[3].Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero), "the registry is told when to send it again");
            Assert.That(await local[3].Content.ReadAsStringAsync(), Does.Contain("Gateway:Webhooks:RateLimit"));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "another registry has its own limit");
            Assert.That(stored, Has.Count.EqualTo(4), "three of local and one of other: the refused one stored nothing");
        });
    }

    [Test]
    public async Task A_token_over_its_limit_is_answered_429_whichever_registry_it_posts_to()
    {
        await using var gateway = await StartAsync(perRegistry: 100, perToken: 2);

        var first = await PostAsync(gateway, "local", AnyRegistryToken);
        var second = await PostAsync(gateway, "other", AnyRegistryToken);
        var third = await PostAsync(gateway, "other", AnyRegistryToken);
        var registryOwn = await PostAsync(gateway, "other", OtherToken);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first.StatusCode, second.StatusCode }, Is.All.EqualTo(HttpStatusCode.Accepted));
            Assert.That(third.StatusCode, Is.EqualTo((HttpStatusCode)429), "the token's limit spans registries");
            Assert.That(registryOwn.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "the registry's own token is another partition");
        });
    }
}
