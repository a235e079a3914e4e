using System.Diagnostics;
using System.Text;
using ImageScanning.ScanEngine.Images;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// A real Debian 12 image: a debootstrap minbase rootfs as layer 1 and a real .deb installed by
/// dpkg as layer 2, pushed to a real registry and read back. The rootfs is built once per machine
/// and cached (DebianRootfs); the first run on a fresh machine takes about a minute longer.
/// </summary>
[NonParallelizable]
[Category("Debian")]
public sealed class DebianImageTests
{
    private static readonly Func<string, bool> Wants = p =>
        p is "etc/os-release" or "usr/lib/os-release" || p == "var/lib/dpkg/status" || p.StartsWith("var/lib/dpkg/info/less.", StringComparison.Ordinal);

    [Test]
    public async Task Reads_a_Debian_image_whose_second_layer_installs_a_package()
    {
        var clock = Stopwatch.StartNew();
        var rootfs = await DebianRootfs.GetOrCreateAsync();
        var deb = await DebianRootfs.DownloadDebAsync("less");
        TestContext.Progress.WriteLine($"Debian rootfs and .deb ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var work = Directory.CreateTempSubdirectory("imagescanning-debian-").FullName;
        await using var registry = await RegistryServer.StartAsync();
        try
        {
            var pushed = await TestImages.BuildAndPushAsync(
                TestImages.Builder()
                    .LayerFromDirectory(rootfs)
                    .Layer(editor => DebianRootfs.InstallDebAsync(editor.Root, deb)),
                registry, "debian/with-less", "12");
            TestContext.Progress.WriteLine($"Image built and pushed after {clock.Elapsed.TotalSeconds:0.0} s");

            await using var services = RegistryTestServices.Build(new RegistryOptions { Name = "local", Url = registry.Url.ToString() });
            var image = await services.GetRequiredService<ImageReader>().ReadAsync("local", "debian/with-less", pushed.Digest, Wants, CancellationToken.None);
            TestContext.Progress.WriteLine(
                $"Image read after {clock.Elapsed.TotalSeconds:0.0} s: {image.CompressedBytesRead} bytes transferred, {image.UncompressedBytesRead} unpacked, {image.Layers[0].Stats.Entries} entries in layer 1");

            Assert.That(image.Layers, Has.Count.EqualTo(2));
            Assert.That(image.Layers[0].Stats.Entries, Is.GreaterThan(5000));
            Assert.That(image.CompressedBytesRead, Is.EqualTo(image.Layers.Sum(l => l.Size)));

            var baseLayer = image.Files.At(0);
            var final = image.Files.Final;
            Assert.That(image.Files.Layers[0].Symlinks["etc/os-release"], Is.EqualTo("../usr/lib/os-release"));
            Assert.That(final.TryGet("etc/os-release", out var osRelease), Is.True);
            var os = Encoding.UTF8.GetString(osRelease.Content);
            Assert.That(os, Does.Contain("ID=debian").And.Contain("VERSION_ID=\"12\"").And.Contain("bookworm"));

            Assert.That(baseLayer.TryGet("var/lib/dpkg/status", out var before), Is.True);
            Assert.That(Encoding.UTF8.GetString(before.Content), Does.Contain("Package: dpkg\n").And.Not.Contain("Package: less\n"));
            Assert.That(final.TryGet("var/lib/dpkg/status", out var after), Is.True);
            Assert.That(Encoding.UTF8.GetString(after.Content), Does.Contain("Package: less\n"));
            Assert.That(after.LayerDigest, Is.EqualTo(image.Layers[1].Digest), "the package database changed in layer 2");
            Assert.That(final.TryGet("var/lib/dpkg/info/less.list", out var list), Is.True);
            Assert.That(Encoding.UTF8.GetString(list.Content), Does.Contain("/usr/bin/less"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
