using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.Services.Tests.Security;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Each registry's notification drives a real scan: the standalone platform (every service in one process, as services/Standalone
/// composes it) with registry "local" = a real docker-registry, scan on push for every repository; an image is pushed, the
/// format's notification for it is delivered (shaped as each registry sends it: see the format's own tests for their sources),
/// and the image's findings are read back once the Basic scanner has pulled and scanned it.
/// </summary>
[NonParallelizable]
public sealed class RealScanTests
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(90);

    private RegistryServer registry = null!;
    private OciLayoutImage image = null!;
    private string work = "";

    [OneTimeSetUp]
    public async Task BuildImage()
    {
        registry = await RegistryServer.StartAsync();
        work = Directory.CreateTempSubdirectory("gateway-realscan-").FullName;
        image = await TestImages.Builder().Layer(root => root
                .WriteFile("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n")
                .WriteFile("var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\n\n"))
            .BuildAsync("v1", work);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await registry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [TestCase("harbor")]
    [TestCase("quay")]
    [TestCase("ghcr")]
    [TestCase("dockerhub")]
    [TestCase("zot")]
    public async Task A_pushed_image_is_scanned_after_its_registrys_notification(string format)
    {
        var repository = $"scan/{format}";
        var pushed = await TestImages.PushAsync(image, registry, repository, "v1");
        await using var platform = await StandaloneHost.StartAsync(new Dictionary<string, string?>
        {
            ["Registries:0:Url"] = registry.Url.ToString().TrimEnd('/'),
            ["Registries:0:WebhookSecret"] = WebhookTestRegistry.Secret,
        });
        var configured = await platform.SendAsync(HttpMethod.Put, "/api/v1/registries/local/scanning-configuration", StandaloneHost.TokenFor(TokenScopes.Write),
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]}""");
        Assert.That(configured.StatusCode, Is.EqualTo(HttpStatusCode.OK), await configured.Content.ReadAsStringAsync());

        var (path, body, headers) = Notification(format, pushed);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var delivered = await platform.Client.SendAsync(request);
        Assert.That(delivered.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await delivered.Content.ReadAsStringAsync());

        var findings = await WaitForScanAsync(platform, pushed);
        TestContext.Out.WriteLine(findings.ToJsonString());
        Assert.That((string?)findings["imageScanStatus"]?["status"], Is.EqualTo("COMPLETE"), findings.ToJsonString());
        Assert.That((string?)findings["imageId"]?["imageDigest"], Is.EqualTo(pushed.Digest));
        Assert.That(findings["imageId"]?["imageTags"]?.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { "v1" }));
    }

    /// <summary>The notification each registry sends for the push (route, body, headers).</summary>
    private static (string Path, string Body, Dictionary<string, string> Headers) Notification(string format, PushedImage pushed)
    {
        var bearer = new Dictionary<string, string> { ["Authorization"] = "Bearer " + StandaloneHost.WebhookToken };
        var urlToken = "?token=" + StandaloneHost.WebhookToken;
        switch (format)
        {
            case "harbor":
                return ($"/webhooks/harbor/local", JsonSerializer.Serialize(new
                {
                    type = "PUSH_ARTIFACT", occur_at = 1680501893, @operator = "admin",
                    event_data = new
                    {
                        resources = new[] { new { digest = pushed.Digest, tag = "v1", resource_url = $"{pushed.HostPort}/{pushed.Repository}:v1" } },
                        repository = new { name = "harbor", @namespace = "scan", repo_full_name = pushed.Repository, repo_type = "private" },
                    },
                }), new() { ["Authorization"] = StandaloneHost.WebhookToken });
            case "quay":
                return ("/webhooks/quay/local" + urlToken, JsonSerializer.Serialize(new
                {
                    name = "quay", repository = pushed.Repository, @namespace = "scan", docker_url = $"{pushed.HostPort}/{pushed.Repository}",
                    homepage = "https://quay.example/repository/scan/quay", updated_tags = new[] { "v1" },
                }), []);
            case "ghcr":
                var ghcr = JsonSerializer.Serialize(new
                {
                    action = "published",
                    registry_package = new
                    {
                        name = "ghcr", package_type = "CONTAINER",
                        package_version = new
                        {
                            version = pushed.Digest, package_url = $"{pushed.HostPort}/{pushed.Repository}:v1",
                            container_metadata = new { tag = new { name = "v1", digest = pushed.Digest }, manifest = new { digest = pushed.Digest } },
                        },
                    },
                });
                var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookTestRegistry.Secret), Encoding.UTF8.GetBytes(ghcr)));
                return ("/webhooks/ghcr/local", ghcr, new()
                {
                    ["X-GitHub-Event"] = "registry_package", ["X-GitHub-Delivery"] = Guid.NewGuid().ToString(), ["X-Hub-Signature-256"] = signature,
                });
            case "dockerhub":
                return ("/webhooks/dockerhub/local" + urlToken, JsonSerializer.Serialize(new
                {
                    callback_url = "https://registry.hub.docker.com/u/scan/dockerhub/hook/1/",
                    push_data = new { pushed_at = 1417566161, pusher = "ci", tag = "v1" },
                    repository = new { repo_name = pushed.Repository, name = "dockerhub", @namespace = "scan", status = "Active" },
                }), []);
            default:
                var zot = bearer;
                zot["Ce-Specversion"] = "1.0";
                zot["Ce-Id"] = Guid.NewGuid().ToString();
                zot["Ce-Source"] = "zotregistry.dev";
                zot["Ce-Type"] = "zotregistry.image.updated";
                return ("/webhooks/zot/local", JsonSerializer.Serialize(new
                {
                    name = pushed.Repository, reference = "v1", digest = pushed.Digest, mediaType = "application/vnd.oci.image.manifest.v1+json",
                }), zot);
        }
    }

    private static async Task<JsonObject> WaitForScanAsync(StandaloneHost platform, PushedImage image)
    {
        var deadline = DateTime.UtcNow + ScanTimeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await platform.SendAsync(HttpMethod.Get, $"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}",
                StandaloneHost.TokenFor(TokenScopes.Read));
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK && JsonNode.Parse(last) is JsonObject found &&
                (string?)found["imageScanStatus"]?["status"] is not (null or "IN_PROGRESS" or "PENDING"))
                return found;
            await Task.Delay(500);
        }
        Assert.Fail($"No scan of {image.DigestReference} within {ScanTimeout}; last answer: {last}");
        return null!;
    }
}
