using System.Collections.Concurrent;
using System.Text.Json;
using ImageScanning.TestSupport;
using Microsoft.AspNetCore.Http;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>The test support itself: the registry's notifications reach an endpoint with the configured headers.</summary>
public sealed class RegistryServerTests
{
    [Test]
    public async Task A_push_is_notified_with_the_static_headers()
    {
        var received = new ConcurrentQueue<(string? Authorization, string? ContentType, JsonDocument Body)>();
        await using var endpoint = await TestHttpServer.StartAsync(async context =>
        {
            var body = await JsonDocument.ParseAsync(context.Request.Body);
            received.Enqueue((context.Request.Headers.Authorization.ToString(), context.Request.ContentType, body));
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await using var registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri(endpoint.Url, "/hooks/distribution"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer hook-secret" },
            },
        });

        var pushed = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r.WriteFile("etc/hostname", "n\n")), registry, "notify/app", "v1");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement? push = null;
        while (push is null && DateTime.UtcNow < deadline)
        {
            push = received.SelectMany(r => r.Body.RootElement.GetProperty("events").EnumerateArray())
                .Cast<JsonElement?>()
                .FirstOrDefault(e => e!.Value.GetProperty("action").GetString() == "push"
                                     && e.Value.GetProperty("target").GetProperty("digest").GetString() == pushed.Digest);
            if (push is null) await Task.Delay(100);
        }

        Assert.That(push, Is.Not.Null, "a push event for the manifest arrived");
        Assert.That(push!.Value.GetProperty("target").GetProperty("repository").GetString(), Is.EqualTo("notify/app"));
        Assert.That(push.Value.GetProperty("target").GetProperty("tag").GetString(), Is.EqualTo("v1"));
        Assert.That(received.Select(r => r.Authorization), Is.All.EqualTo("Bearer hook-secret"));
        Assert.That(received.Select(r => r.ContentType), Is.All.EqualTo("application/vnd.docker.distribution.events.v1+json"));
        Assert.That(received.SelectMany(r => r.Body.RootElement.GetProperty("events").EnumerateArray()).Select(e => e.GetProperty("action").GetString()),
            Has.None.EqualTo("pull"), "pulls are not notified");
    }

    [Test]
    public async Task The_access_log_shows_fetches()
    {
        await using var registry = await RegistryServer.StartAsync();
        var from = registry.LogPosition;
        using var http = new HttpClient();
        (await http.GetAsync(new Uri(registry.Url, "/v2/some/repo/manifests/latest"))).Dispose();
        await registry.SyncLogAsync();
        var fetch = registry.Fetches("some/repo", from).Single();
        Assert.That((fetch.Method, fetch.Path, fetch.Status), Is.EqualTo(("GET", "/v2/some/repo/manifests/latest", 404)));
        Assert.That(registry.Fetches("other/repo", from), Is.Empty);
    }

    [Test]
    public void Bcrypt_hashes_come_from_libcrypt()
    {
        var hash = RegistryServer.Bcrypt.Hash("pw");
        Assert.That(hash, Does.StartWith("$2b$05$").And.Length.EqualTo(60));
        Assert.That(RegistryServer.Bcrypt.Hash("pw"), Is.Not.EqualTo(hash), "salted");
    }
}
