using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.HostileInput.Tests;

/// <summary>
/// The platform, not the CLI: the PAX-bomb image pushed to a real docker-registry that notifies the Standalone service, then
/// a normal image pushed after it. The bomb's scan must end FAILED with its reason, quickly, without the process growing
/// past 1 GiB, and the next image must still be scanned.
/// </summary>
public sealed class PlatformTests : HostileTestBase
{
    private const string WebhookToken = "hostile-webhook-token";
    private const string ApiToken = "hostile-api-token";

    [Test]
    public async Task After_a_PAX_bomb_the_platform_records_the_failure_and_scans_the_next_image()
    {
        var gatewayPort = StandaloneProcess.FreePort();
        await using var registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
            },
        });
        var data = Directory.CreateDirectory(Path.Combine(Work, "data")).FullName;
        await using var platform = await StandaloneProcess.StartAsync(gatewayPort, new Dictionary<string, string>
        {
            ["Registries__0__Name"] = "local",
            ["Registries__0__Url"] = registry.Url.ToString().TrimEnd('/'),
            ["Registries__0__WebhookToken"] = WebhookToken,
            ["Security__ApiTokens__0"] = ApiToken,
            ["Storage__DataDirectory"] = data,
            ["Messaging__Transport"] = "InMemory",
        });
        using var api = new HttpClient { BaseAddress = platform.Url };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var put = await api.PutAsync("/api/v1/registries/local/scanning-configuration", new StringContent(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"hostile/*","filterType":"WILDCARD"}]}]}""",
            Encoding.UTF8, "application/json"));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        var bomb = NewLayout("bomb");
        var bombLayer = bomb.AddBlobFile(Layers.GzipToFile(Path.Combine(Work, "pax.tar.gz"), tar =>
        {
            const long declared = 2L * 1024 * 1024 * 1024;
            tar.Write(Layers.RawHeader("PaxHeaders/bomb", 'x', declared));
            tar.Write(Encoding.ASCII.GetBytes($"{declared} path="));
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)'a');
            for (var i = 0; i < 256; i++) tar.Write(chunk);
        }));
        var bombManifest = bomb.AddManifest([bomb.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip), bombLayer]);
        bomb.Tagged(bombManifest);
        var normal = NewLayout("normal");
        var normalManifest = normal.AddManifest([normal.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip)]);
        normal.Tagged(normalManifest);

        var pushedBomb = await TestImages.PushAsync(new OciLayoutImage(bomb.Directory, OciLayout.Tag, (string)bombManifest["digest"]!), registry, "hostile/bomb", "v1");
        var bombScan = await WaitForScanAsync(api, pushedBomb, platform, ImagescanRun.MaxTime);
        var pushedNormal = await TestImages.PushAsync(new OciLayoutImage(normal.Directory, OciLayout.Tag, (string)normalManifest["digest"]!), registry, "hostile/normal", "v1");
        var normalScan = await WaitForScanAsync(api, pushedNormal, platform, TimeSpan.FromSeconds(45));
        var peak = platform.PeakResidentBytes();

        Assert.Multiple(() =>
        {
            Assert.That(platform.HasExited, Is.False, "the platform is still up");
            Assert.That(bombScan, Is.Not.Null, $"the bomb's scan ended within {ImagescanRun.MaxTime.TotalSeconds} s of its push:{Environment.NewLine}{platform.Output}");
            Assert.That((string?)bombScan?["imageScanStatus"]!["status"], Is.EqualTo("FAILED"), bombScan?.ToJsonString());
            Assert.That((string?)bombScan?["imageScanStatus"]!["description"] ?? "", Does.Contain((string)bombLayer["digest"]!).And.Contain("limit").IgnoreCase, bombScan?.ToJsonString());
            Assert.That((string?)normalScan?["imageScanStatus"]!["status"], Is.EqualTo("COMPLETE"), $"the image pushed after the bomb is scanned: {normalScan?.ToJsonString()}");
            Assert.That(peak, Is.LessThan(ImagescanRun.MaxResidentBytes), $"Standalone's peak RSS {peak / (1024 * 1024)} MiB");
            // GETs only: the push itself HEADs each blob to see whether it is already there.
            Assert.That(registry.Fetches("hostile/bomb").Count(f => f.Method == "GET" && f.Path.Contains((string)bombLayer["digest"]!)), Is.EqualTo(1),
                "a failure caused by the image's bytes is permanent: the layer is fetched once, not again on retries");
        });
    }

    /// <summary>The finished scan of <paramref name="image"/>; null when none finished within <paramref name="timeout"/>.</summary>
    private static async Task<JsonObject?> WaitForScanAsync(HttpClient api, PushedImage image, StandaloneProcess platform, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !platform.HasExited)
        {
            var response = await api.GetAsync($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var scan = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                if ((string?)scan["imageScanStatus"]?["status"] is not "IN_PROGRESS" and not "PENDING") return scan;
            }
            await Task.Delay(500);
        }
        return null;
    }
}
