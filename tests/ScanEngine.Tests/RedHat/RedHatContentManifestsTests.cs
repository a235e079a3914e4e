using System.Text;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>
/// Content manifests as Red Hat's build system writes them (root/buildinfo/content_manifests/NAME.json, one per layer it
/// builds; the corpus has none, so these are written from the documented format) and which layer's packages they describe.
/// </summary>
[TestFixture]
public sealed class RedHatContentManifestsTests
{
    private static byte[] Manifest(params string[] contentSets) => Encoding.UTF8.GetBytes(
        $$"""{"metadata": {"icm_version": 1, "icm_spec": "content_manifest.json", "image_layer_index": 0}, "content_sets": [{{string.Join(", ", contentSets.Select(c => $"\"{c}\""))}}], "image_contents": []}""");

    private static LayerFiles Layer(string digest, Dictionary<string, byte[]>? files = null) => new() { Digest = digest, Files = files ?? [] };

    [TestCase("root/buildinfo/content_manifests/ubi9-container-9.4-1123.json", true)]
    [TestCase("root/buildinfo/content_manifests/sub/x.json", false)]
    [TestCase("root/buildinfo/Dockerfile-ubi9-9.4-1123", false)]
    [TestCase("root/buildinfo/content_manifests/readme.txt", false)]
    [TestCase("home/root/buildinfo/content_manifests/x.json", false)]
    public void Wants_json_files_of_the_manifest_directory(string path, bool wanted) =>
        Assert.That(RedHatContentManifests.Wants(path), Is.EqualTo(wanted));

    [Test]
    public void A_layers_packages_take_its_manifest_else_the_nearest_lower_else_the_nearest_upper()
    {
        var files = new ImageFiles(
        [
            Layer("sha256:base"), // an early Red Hat image: the base layer's manifest is written by the next layer
            Layer("sha256:redhat", new() { ["root/buildinfo/content_manifests/ubi8-8.9.json"] = Manifest("rhel-8-for-x86_64-baseos-rpms") }),
            Layer("sha256:product", new()
            {
                ["root/buildinfo/content_manifests/a.json"] = Manifest("rhel-8-for-x86_64-appstream-rpms"),
                ["root/buildinfo/content_manifests/b.json"] = Manifest("rhel-8-for-x86_64-appstream-rpms", "codeready-builder-for-rhel-8-x86_64-rpms"),
            }),
            Layer("sha256:customer"),
        ]);
        var manifests = RedHatContentManifests.ByLayer(files);
        Assert.Multiple(() =>
        {
            Assert.That(manifests.For("sha256:base"), Is.EqualTo(new[] { "rhel-8-for-x86_64-baseos-rpms" }));
            Assert.That(manifests.For("sha256:redhat"), Is.EqualTo(new[] { "rhel-8-for-x86_64-baseos-rpms" }));
            Assert.That(manifests.For("sha256:product"), Is.EqualTo(new[] { "rhel-8-for-x86_64-appstream-rpms", "codeready-builder-for-rhel-8-x86_64-rpms" }));
            Assert.That(manifests.For("sha256:customer"), Is.EqualTo(new[] { "rhel-8-for-x86_64-appstream-rpms", "codeready-builder-for-rhel-8-x86_64-rpms" }));
            Assert.That(manifests.For("sha256:unknown"), Is.Null);
        });
    }

    [Test]
    public void Broken_or_empty_manifests_are_ignored()
    {
        var files = new ImageFiles([Layer("sha256:l0", new()
        {
            ["root/buildinfo/content_manifests/broken.json"] = "{\"content_sets\": [\"rhel-8-for"u8.ToArray(),
            ["root/buildinfo/content_manifests/array.json"] = "[\"rhel-8-for-x86_64-baseos-rpms\"]"u8.ToArray(),
            ["root/buildinfo/content_manifests/mistyped.json"] = "{\"content_sets\": \"rhel-8-for-x86_64-baseos-rpms\"}"u8.ToArray(),
            ["root/buildinfo/content_manifests/empty.json"] = Manifest(),
            ["root/buildinfo/content_manifests/bad-utf8.json"] = [.. "{\"content_sets\": [\""u8, 0xff, .. "\"]}"u8],
        })]);
        Assert.That(RedHatContentManifests.ByLayer(files).For("sha256:l0"), Is.Null);
    }
}
