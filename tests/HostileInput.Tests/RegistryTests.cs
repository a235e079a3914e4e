using System.Text;
using System.Text.Json.Nodes;

namespace ImageScanning.HostileInput.Tests;

/// <summary>Registries that answer as an attacker would: one byte a minute, or a redirect to another loopback address (127.0.0.2).</summary>
public sealed class RegistryTests : HostileTestBase
{
    private StandInRegistry _registry = null!;
    private string _layerDigest = "";
    private byte[] _layer = [];

    [SetUp]
    public async Task StartRegistryAsync()
    {
        _registry = await StandInRegistry.StartAsync();
        var layer = _layer = Layers.DebianBase();
        _layerDigest = _registry.AddBlob(layer);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}""");
        var configDigest = _registry.AddBlob(config);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = OciLayout.ManifestType,
            ["config"] = OciLayout.Descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.Length),
            ["layers"] = new JsonArray(OciLayout.Descriptor(OciLayout.LayerGzip, _layerDigest, layer.Length)),
        };
        _registry.AddManifest("v1", OciLayout.ManifestType, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    [TearDown]
    public async Task StopRegistryAsync() => await _registry.DisposeAsync();

    private string Target => $"docker://{_registry.HostPort}/team/app:v1";

    [Test]
    public async Task A_registry_answering_one_byte_a_minute_fails_the_scan_as_a_timeout_naming_the_layer()
    {
        _registry.HostileBlob = async (digest, context) =>
        {
            if (digest != _layerDigest) return false;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = _layer.Length;
            try
            {
                for (var i = 0; i < _layer.Length; i++)
                {
                    await context.Response.Body.WriteAsync(_layer.AsMemory(i, 1), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
                }
            }
            catch (OperationCanceledException) { }
            return true;
        };

        var run = await ImagescanProcess.ScanAsync(Target, "--insecure", "--format", "json");

        run.AssertRefused(_layerDigest);
        Assert.That(run.Stderr, Does.Contain("slow").IgnoreCase.Or.Contain("throughput").IgnoreCase.Or.Contain("timeout").IgnoreCase.Or.Contain("timed out").IgnoreCase, run.ToString());
    }

    [Test]
    public async Task A_blob_redirect_to_a_loopback_address_is_refused_and_never_followed()
    {
        _registry.HostileBlob = (digest, context) =>
        {
            if (digest != _layerDigest) return Task.FromResult(false);
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = $"http://{_registry.ElsewhereHostPort}/blobs/{digest}";
            return Task.FromResult(true);
        };

        var run = await ImagescanProcess.ScanAsync(Target, "--insecure", "--format", "json");

        run.AssertRefused("redirect", "127.0.0.2");
        Assert.That(_registry.ElsewhereRequests, Is.Zero, "the redirect target was never asked");
    }
}
