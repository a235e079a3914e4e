using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>A hard link to a lower layer's file is a second name of that file in the unpacked image, as runtimes unpack it.</summary>
public sealed class HardLinkAcrossLayersTests
{
    private static LayerFiles Layer(char digest, Dictionary<string, byte[]>? files = null, Dictionary<string, string>? hardLinks = null, List<string>? whiteouts = null) => new()
    {
        Digest = "sha256:" + new string(digest, 64),
        Files = files ?? [],
        HardLinks = hardLinks ?? [],
        Whiteouts = whiteouts ?? [],
    };

    [Test]
    public void The_link_is_a_file_of_its_own_layer_and_keeps_its_content_when_the_target_is_deleted_later()
    {
        var content = Encoding.UTF8.GetBytes("Package: acl\n");
        var image = new ImageFiles([
            Layer('1', files: new() { ["var/lib/dpkg/status"] = content }),
            Layer('2', hardLinks: new() { ["var/lib/dpkg/status.d/base"] = "var/lib/dpkg/status" }),
            Layer('3', whiteouts: ["var/lib/dpkg/status"]),
        ]);

        var final = image.Final;
        Assert.Multiple(() =>
        {
            Assert.That(final.Under("var/lib/dpkg/status.d").Select(f => (f.Path, f.LayerDigest)),
                Is.EqualTo(new[] { ("var/lib/dpkg/status.d/base", "sha256:" + new string('2', 64)) }));
            Assert.That(final.TryGet("var/lib/dpkg/status.d/base", out var linked) ? linked.Content : null, Is.EqualTo(content));
            Assert.That(final.TryGet("var/lib/dpkg/status", out _), Is.False, "the target itself was deleted");
        });
    }

    [Test]
    public void A_link_to_a_file_no_lower_layer_holds_adds_nothing()
    {
        var image = new ImageFiles([Layer('1'), Layer('2', hardLinks: new() { ["etc/a"] = "etc/missing" })]);
        Assert.That(image.Final.All, Is.Empty);
    }
}
