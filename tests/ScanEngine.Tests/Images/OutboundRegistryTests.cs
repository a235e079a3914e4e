using System.Text;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// No SSRF, no credential leak: a registry's token realm and blob redirects against real servers on 127.0.0.1
/// (<see cref="RedirectingRegistry"/>). The registry's configured host (localhost) is trusted; 127.0.0.1 is another host,
/// reached only because a test's allow-list names it.
/// </summary>
[NonParallelizable]
public sealed class OutboundRegistryTests
{
    private static readonly Func<string, bool> Wants = _ => true;
    private RedirectingRegistry registry = null!;

    [SetUp]
    public async Task Start() => registry = await RedirectingRegistry.StartAsync();

    [TearDown]
    public async Task Stop() => await registry.DisposeAsync();

    private static Task<ImageReadResult> ReadAsync(ServiceProvider services) =>
        services.GetRequiredService<ImageReader>().ReadAsync("redirecting", RedirectingRegistry.Repository, "v1", Wants, CancellationToken.None);

    private static bool IsBasicCredential(string? authorization) => authorization?.StartsWith("Basic ", StringComparison.Ordinal) == true;

    [Test]
    public async Task A_blob_redirect_to_127_0_0_1_is_followed_without_credentials_when_the_allow_list_names_it()
    {
        await using var services = RegistryTestServices.Build([registry.Options()], allowList: ["127.0.0.1"]);

        var image = await ReadAsync(services);

        Assert.That(image.Files.Final.TryGet("etc/hostname", out var file), Is.True);
        Assert.That(Encoding.UTF8.GetString(file.Content), Is.EqualTo("behind a redirect\n"));
        Assert.That(registry.BlobRequests, Has.Count.EqualTo(2), "config and layer, both through the redirect");
        Assert.That(registry.BlobRequests.Select(r => r.Authorization), Is.All.Null, "neither the token nor the Basic credentials leave the registry's host");
        Assert.That(registry.TokenRequests.Select(r => r.Authorization), Is.All.Matches<string?>(IsBasicCredential), "the realm is on the registry's host");
        Assert.That(registry.RegistryRequests.Select(r => r.Authorization), Has.None.Matches<string?>(IsBasicCredential), "the registry gets tokens only");
    }

    [Test]
    public async Task Without_the_allow_list_a_blob_redirect_to_127_0_0_1_is_refused_before_connecting()
    {
        await using var services = RegistryTestServices.Build([registry.Options()]);

        var e = Assert.ThrowsAsync<ScanException>(() => ReadAsync(services));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.Contain("127.0.0.1").And.Contain("loopback").And.Contain("Outbound:AllowList").And.Contain("redirecting"));
        Assert.That(registry.BlobRequests, Is.Empty, "no connection was made");
        Assert.That(registry.RegistryRequests.Count(r => r.Path.Contains("/blobs/", StringComparison.Ordinal)), Is.EqualTo(1), "a refusal is not retried");
    }

    [Test]
    public async Task A_redirect_to_the_metadata_address_is_refused_even_when_127_0_0_1_is_allowed()
    {
        registry.BlobLocation = _ => new Uri("http://169.254.169.254/latest/meta-data/iam/security-credentials/");
        await using var services = RegistryTestServices.Build([registry.Options()], allowList: ["127.0.0.1"]);

        var e = Assert.ThrowsAsync<ScanException>(() => ReadAsync(services));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.Contain("address 169.254.169.254 is link-local"));
    }

    [Test]
    public async Task A_token_realm_on_another_host_gets_no_credentials_and_names_the_setting()
    {
        registry.RealmUrl = new Uri(registry.TokenServerUrl, "/token"); // 127.0.0.1: not the registry's host
        await using var services = RegistryTestServices.Build([registry.Options()], allowList: ["127.0.0.1"]);

        var e = Assert.ThrowsAsync<ScanException>(() => ReadAsync(services));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.Contain("127.0.0.1").And.Contain("TokenRealmHosts").And.Not.Contain(RedirectingRegistry.Password));
        Assert.That(registry.TokenRequests, Is.Empty, "the stand-in realm received no request, so no Authorization header");
    }

    [Test]
    public async Task A_realm_host_named_in_TokenRealmHosts_still_passes_the_address_policy()
    {
        registry.RealmUrl = new Uri(registry.TokenServerUrl, "/token");

        await using (var refused = RegistryTestServices.Build([registry.Options("127.0.0.1")]))
        {
            var e = Assert.ThrowsAsync<ScanException>(() => ReadAsync(refused));
            Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
            Assert.That(e.Message, Does.Contain("Token service").And.Contain("address 127.0.0.1 is loopback"));
            Assert.That(registry.TokenRequests, Is.Empty);
        }

        await using var allowed = RegistryTestServices.Build([registry.Options("127.0.0.1")], allowList: ["127.0.0.0/8"]);
        var image = await ReadAsync(allowed);
        Assert.That(image.ManifestDigest, Is.EqualTo(Digests.Sha256(RedirectingRegistry.Manifest())));
        Assert.That(registry.TokenRequests.Select(r => r.Authorization), Is.All.Matches<string?>(IsBasicCredential));
    }

    [Test]
    public void An_http_token_realm_of_an_https_registry_is_refused()
    {
        var options = new RegistryOptions { Name = "secure", Url = "https://registry.example.test/", TokenRealmHosts = ["auth.example.test"] };
        Assert.Multiple(() =>
        {
            Assert.That(TokenRealmPolicy.Refusal(options, new Uri(options.Url), new Uri("http://auth.example.test/token")), Does.Contain("plain http"));
            Assert.That(TokenRealmPolicy.Refusal(options, new Uri(options.Url), new Uri("https://auth.example.test/token")), Is.Null);
            Assert.That(TokenRealmPolicy.Refusal(options, new Uri(options.Url), new Uri("https://registry.example.test:8443/token")), Is.Null, "the registry's own host");
            Assert.That(TokenRealmPolicy.Refusal(options, new Uri(options.Url), new Uri("https://collector.example.test/token")), Does.Contain("collector.example.test"));
        });
    }

    [Test]
    public void Docker_Hubs_own_token_service_is_known_and_nobody_elses()
    {
        var hub = new RegistryOptions { Name = "hub", Url = "https://registry-1.docker.io/" };
        var other = new RegistryOptions { Name = "other", Url = "https://registry.example.test/" };
        Assert.Multiple(() =>
        {
            Assert.That(TokenRealmPolicy.Refusal(hub, new Uri(hub.Url), new Uri("https://auth.docker.io/token")), Is.Null);
            Assert.That(TokenRealmPolicy.Refusal(hub, new Uri(hub.Url), new Uri("http://auth.docker.io/token")), Does.Contain("plain http"));
            Assert.That(TokenRealmPolicy.Refusal(hub, new Uri(hub.Url), new Uri("https://auth.example.test/token")), Does.Contain("auth.example.test"));
            Assert.That(TokenRealmPolicy.Refusal(other, new Uri(other.Url), new Uri("https://auth.docker.io/token")), Does.Contain("auth.docker.io"),
                "Docker Hub's token service is trusted for Docker Hub only");
        });
    }

    [Test]
    public async Task Redirects_are_followed_at_most_MaxRedirects_times()
    {
        // Every blob GET is sent back to the registry's own blob URL: an endless loop on the trusted host.
        registry.BlobLocation = digest => new Uri(registry.Url, $"/v2/{RedirectingRegistry.Repository}/blobs/{digest}");
        await using var services = RegistryTestServices.Build([registry.Options()], o => o.MaxRedirects = 3);

        var e = Assert.ThrowsAsync<ScanException>(() => ReadAsync(services));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryUnreachable));
        Assert.That(e.Message, Does.Contain("more than 3 times").And.Contain("MaxRedirects"));
        Assert.That(registry.RegistryRequests.Count(r => r.Path.Contains("/blobs/", StringComparison.Ordinal) && r.Authorization is not null), Is.EqualTo(1 + 3),
            "a hop back to the registry's own origin carries its token");
        await Task.CompletedTask;
    }
}
