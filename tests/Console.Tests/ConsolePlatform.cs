using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Console.Tests;

/// <summary>
/// The platform the console is tested against: Standalone as a real process, a real docker-registry notifying it,
/// real images pushed with skopeo and scanned against advisories written for the packages they hold.
/// </summary>
public sealed class ConsolePlatform : IAsyncDisposable
{
    public const string ApiToken = "console-api-token";
    public const string Registry = "local";
    public const string ScannedRepository = "console/debian";
    public const string UnmatchedRepository = "other/debian";
    public const string PagedRepository = "console/app";
    public const string InitialConfiguration =
        """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"console/*","filterType":"WILDCARD"}]}]}""";
    /// <summary>A feed source that imports the console's advisories from a directory, and one whose directory is gone.</summary>
    public const string HealthyFeed = "console-osv";
    public const string FailingFeed = "offline-mirror";
    private const string WebhookToken = "console-webhook-token";
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(2);

    private RegistryServer? _registry;
    private RunningPlatform? _platform;
    private string _dataDirectory = "";

    public HttpClient Api { get; private set; } = null!;
    public Uri GatewayUrl => _platform!.GatewayUrl;
    public string Logs => _platform?.Logs ?? "";
    public PushedImage Scanned { get; private set; } = null!;
    public IReadOnlyList<PushedImage> Paged { get; private set; } = [];

    public static async Task<ConsolePlatform> StartAsync()
    {
        var platform = new ConsolePlatform();
        try
        {
            await platform.StartCoreAsync();
            return platform;
        }
        catch
        {
            await TestContext.Out.WriteLineAsync(platform.Logs);
            await platform.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync()
    {
        var image = await DebianTestImage.GetAsync();
        var gatewayPort = PlatformProcess.FreePort();
        _registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/{Registry}"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        _dataDirectory = Directory.CreateTempSubdirectory("imagescanning-console-data-").FullName;
        var feedDirectory = Path.Combine(_dataDirectory, "feed");
        ZipFile.ExtractToDirectory(new MemoryStream(ConsoleAdvisories.ToZip(image.Packages)), feedDirectory);
        var environment = RunningPlatform.CommonEnvironment(_registry.Url, WebhookToken, ApiToken, _dataDirectory);
        environment["CveFeed__Sources__0__Name"] = HealthyFeed;
        environment["CveFeed__Sources__0__Kind"] = "osv-directory";
        environment["CveFeed__Sources__0__Path"] = feedDirectory;
        environment["CveFeed__Sources__1__Name"] = FailingFeed;
        environment["CveFeed__Sources__1__Kind"] = "osv-directory";
        environment["CveFeed__Sources__1__Path"] = Path.Combine(_dataDirectory, "mirror-that-is-not-mounted");
        _platform = await RunningPlatform.StartStandaloneAsync(gatewayPort, environment);
        Api = new HttpClient { BaseAddress = _platform.GatewayUrl };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

        await UploadAsync(new TestAdvisories(image.Packages).ToZip());
        await UploadAsync(ConsoleAdvisories.ToZip(image.Packages));
        await PutConfigurationAsync(InitialConfiguration);

        await TestImages.PushAsync(image.Layout, _registry, UnmatchedRepository, "bookworm");
        Scanned = await TestImages.PushAsync(image.Layout, _registry, ScannedRepository, "bookworm");
        var paged = new List<PushedImage>();
        foreach (var version in new[] { "v1", "v2", "v3" })
            paged.Add(await TestImages.BuildAndPushAsync(
                TestImages.Builder().Layer(e => e.WriteFile("app/version.txt", version)), _registry, PagedRepository, version));
        Paged = paged;
        foreach (var pushed in paged.Prepend(Scanned)) await WaitForScanAsync(pushed);
    }

    public async Task PutConfigurationAsync(string json)
    {
        var response = await Api.PutAsync($"/api/v1/registries/{Registry}/scanning-configuration", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonObject> GetJsonAsync(string path) => (await Api.GetFromJsonAsync<JsonObject>(path))!;

    private async Task UploadAsync(byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var response = await Api.PostAsync("/api/v1/advisories", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task WaitForScanAsync(PushedImage image)
    {
        var deadline = DateTime.UtcNow + ScanTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var response = await Api.GetAsync($"/api/v1/registries/{Registry}/findings/{image.Repository}@{image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(300);
        }
        Assert.Fail($"No scan of {image.DigestReference} within {ScanTimeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (_platform is not null) await _platform.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }
}
