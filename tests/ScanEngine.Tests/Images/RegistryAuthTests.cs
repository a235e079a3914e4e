using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>Basic auth (htpasswd) and token auth against real docker-registry instances.</summary>
[NonParallelizable]
public sealed class RegistryAuthTests
{
    private const string User = "scanner";
    private const string Password = "s3cret-pass";
    private static readonly Func<string, bool> Wants = p => p.StartsWith("etc/", StringComparison.Ordinal);

    private string work = null!;
    private OciLayoutImage image = null!;
    private RegistryServer basicRegistry = null!;
    private TokenServer tokens = null!;
    private RegistryServer tokenRegistry = null!;

    [OneTimeSetUp]
    public async Task StartRegistries()
    {
        work = Directory.CreateTempSubdirectory("imagescanning-auth-").FullName;
        image = await TestImages.Builder().Layer(r => r.WriteFile("etc/secret.conf", "behind auth\n")).BuildAsync("v1", work);

        basicRegistry = await RegistryServer.StartAsync(new RegistryServerOptions { BasicAuthUsers = new Dictionary<string, string> { [User] = Password } });
        await TestImages.PushAsync(image, basicRegistry, "private/app", "v1", credentials: $"{User}:{Password}");

        tokens = await TokenServer.StartAsync(new Dictionary<string, string> { [User] = Password });
        tokenRegistry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            TokenAuth = new RegistryTokenAuth(tokens.Realm.ToString(), TokenServer.Service, TokenServer.Issuer, tokens.CertificatePem),
        });
        await TestImages.PushAsync(image, tokenRegistry, "private/app", "v1", credentials: $"{User}:{Password}");
    }

    [OneTimeTearDown]
    public async Task StopRegistries()
    {
        await tokenRegistry.DisposeAsync();
        await tokens.DisposeAsync();
        await basicRegistry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Test]
    public async Task Reads_from_a_basic_auth_registry_with_its_credentials()
    {
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "basic", Url = basicRegistry.Url.ToString(), Username = User, Password = Password });
        var result = await services.GetRequiredService<ImageReader>().ReadAsync("basic", "private/app", "v1", Wants, CancellationToken.None);
        Assert.That(result.Files.Final.TryGet("etc/secret.conf", out _), Is.True);
        Assert.That(result.ManifestDigest, Is.EqualTo(image.ManifestDigest));
    }

    [TestCase(null)]
    [TestCase("wrong")]
    public async Task A_basic_auth_registry_without_valid_credentials_is_AccessDenied(string? password)
    {
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "basic", Url = basicRegistry.Url.ToString(), Username = password is null ? null : User, Password = password });
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("basic").GetManifestAsync("private/app", "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.Not.Contain(Password).And.Not.Contain("wrong"));
    }

    [Test]
    public async Task Reads_from_a_token_auth_registry_and_reuses_the_token_for_its_scope()
    {
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "token", Url = tokenRegistry.Url.ToString(), Username = User, Password = Password });
        var before = tokens.Requests;

        var result = await services.GetRequiredService<ImageReader>().ReadAsync("token", "private/app", "v1", Wants, CancellationToken.None);
        Assert.That(result.Files.Final.TryGet("etc/secret.conf", out _), Is.True);
        Assert.That(tokens.Requests - before, Is.EqualTo(1), "one token for manifest, config and layer");

        await services.GetRequiredService<IRegistryClientFactory>().For("token").GetManifestAsync("private/app", "v1", CancellationToken.None);
        Assert.That(tokens.Requests - before, Is.EqualTo(1), "the cached token is reused by a new client of the same registry");

        var other = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("token").GetManifestAsync("private/other", "v1", CancellationToken.None));
        Assert.That(other!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        Assert.That(tokens.Requests - before, Is.EqualTo(2), "another repository is another scope");
    }

    [TestCase(null)]
    [TestCase("wrong")]
    public async Task A_token_service_that_refuses_is_AccessDenied(string? password)
    {
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "token", Url = tokenRegistry.Url.ToString(), Username = password is null ? null : User, Password = password });
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("token").GetManifestAsync("private/app", "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
        Assert.That(e.Message, Does.Contain("token"));
    }

    [Test]
    public async Task A_static_bearer_token_is_sent_as_configured()
    {
        var token = tokens.Mint(User, "private/app", ["pull"], TimeSpan.FromMinutes(5));
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "token", Url = tokenRegistry.Url.ToString(), BearerToken = token });
        var before = tokens.Requests;
        var manifest = await services.GetRequiredService<IRegistryClientFactory>().For("token").GetManifestAsync("private/app", "v1", CancellationToken.None);
        Assert.That(manifest.Digest, Is.EqualTo(image.ManifestDigest));
        Assert.That(tokens.Requests, Is.EqualTo(before), "no token request");
    }

    [Test]
    public void Options_never_print_credentials()
    {
        var options = new RegistryOptions { Name = "r", Url = "https://r.example", Username = User, Password = Password, BearerToken = "tok" };
        Assert.That(options.ToString(), Does.Not.Contain(Password).And.Not.Contain("tok"));
    }
}
