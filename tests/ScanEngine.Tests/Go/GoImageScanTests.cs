using System.IO.Compression;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// A whole scan through a real registry: an image with Debian's umoci (a Go binary) in a path no finder wants is
/// read with the scanner's content sniffers, and its Go toolchain matches a real go-vulndb record.
/// </summary>
[TestFixture]
public sealed class GoImageScanTests
{
    private const string Registry = "local";

    [Test]
    public async Task A_go_binary_anywhere_in_an_image_is_found_and_matched()
    {
        await using var registry = await RegistryServer.StartAsync();
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
        var work = Directory.CreateTempSubdirectory("imagescanning-go-").FullName;
        try
        {
            var umoci = await File.ReadAllBytesAsync("/usr/bin/umoci");
            var pushed = await TestImages.BuildAndPushAsync(TestImages.Builder()
                .Layer(r => r.WriteFile("etc/os-release", "ID=scratchy\nVERSION_ID=1\n"))
                .Layer(r => r.WriteFile("srv/tools/umoci", umoci).WriteFile("srv/tools/README", "not an executable\n")), registry, "test/go", "v1");

            using var store = new SqliteAdvisoryStore(Path.Combine(work, "advisories.db"));
            using (var feed = ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip")))
            using (var reader = new StreamReader(feed.GetEntry("GO-2023-1840.json")!.Open()))
            {
                var raw = await reader.ReadToEndAsync();
                await store.UpsertAsync(OsvParser.Parse(raw), raw);
            }
            var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), store, [new GoEcosystem(), new RustEcosystem()]);
            Assert.That(scanner.ContentWantsFor(includeLanguagePackages: false), Is.Null, "BASIC scans run no language finder, so nothing is sniffed");

            var result = await scanner.ScanAsync(Registry, "test/go", pushed.Digest, includeLanguagePackages: true, CancellationToken.None);

            Assert.That(result.Packages.Select(p => (p.FilePath, p.Name, p.Version, p.Type)), Is.EqualTo(new[] { ("srv/tools/umoci", "stdlib", "1.19.8", "golang") }));
            Assert.That(result.Vulnerabilities.Select(m => (m.VulnerabilityId, m.Package.FilePath, m.FixedInVersion)),
                Is.EqualTo(new[] { ("GO-2023-1840", "srv/tools/umoci", (string?)"1.19.10") }));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
