using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ImageScanning.HostileInput.Tests;

/// <summary>Manifests and indexes that lie: thousands of layers, layers to fetch from elsewhere, an index that names itself.</summary>
public sealed class ManifestTests : HostileTestBase
{
    [TestCase(20_000)]
    [TestCase(1_001)]
    public async Task A_manifest_with_more_layers_than_the_limit_is_refused_before_any_is_read(int count)
    {
        var layout = NewLayout();
        var layers = new List<JsonObject>(count) { layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip) };
        for (var i = 1; i < count; i++)
            layers.Add(layout.AddBlob(Layers.Gzip(tar => tar.WriteFile($"opt/layer-{i}", "x")), OciLayout.LayerGzip));
        layout.Tagged(layout.AddManifest(layers));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused("layers", "limit");
        Assert.That(run.Stderr, Does.Contain(count.ToString()).Or.Contain(count.ToString("N0")), run.ToString());
    }

    [Test]
    public async Task A_foreign_layer_url_is_never_fetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref connections);
            }
        });
        var layout = NewLayout();
        var foreign = OciLayout.Descriptor("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "sha256:" + new string('9', 64), 1234);
        foreign["urls"] = new JsonArray($"http://127.0.0.1:{port}/layer.tar.gz");
        layout.Tagged(layout.AddManifest([layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip), foreign]));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused((string)foreign["digest"]!);
        Assert.That(Volatile.Read(ref connections), Is.Zero, "nothing connected to the layer's foreign URL");
        listener.Stop();
    }

    [Test]
    public async Task An_index_that_points_at_itself_is_refused_not_followed()
    {
        var layout = NewLayout();
        var manifest = layout.AddManifest([layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip)]);
        // A digest cannot name content that contains it, so the index is stored under the digest it lists: the reader either
        // checks the digest or follows the loop.
        var selfDigest = "sha256:" + new string('5', 64);
        var index = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = OciLayout.IndexType,
            ["manifests"] = new JsonArray(
                Platform(OciLayout.Descriptor(OciLayout.IndexType, selfDigest, 400), "amd64"),
                Platform((JsonObject)manifest.DeepClone(), "arm64")),
        };
        File.WriteAllBytes(layout.BlobPath(selfDigest), Encoding.UTF8.GetBytes(index.ToJsonString()));
        layout.Tagged(OciLayout.Descriptor(OciLayout.IndexType, selfDigest, 400));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused(selfDigest);
    }

    private static JsonObject Platform(JsonObject descriptor, string architecture)
    {
        descriptor["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = architecture };
        return descriptor;
    }
}
