using System.Text;

namespace ImageScanning.HostileInput.Tests;

/// <summary>
/// The shapes the fuzz harness (tests/Fuzzing) found, rebuilt as whole images: JSON strings that are not UTF-8 made
/// System.Text.Json throw InvalidOperationException, which nothing turned into a reason (docs/security.md, "Fuzzing").
/// </summary>
public sealed class FuzzFindingTests : HostileTestBase
{
    private static readonly byte[] NotUtf8 = [0xC3, 0x28, 0x8F];

    private static byte[] WithBadString(string json, string marker)
    {
        var at = json.IndexOf(marker, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(json[..at]), .. NotUtf8, .. Encoding.UTF8.GetBytes(json[(at + marker.Length)..])];
    }

    [Test]
    public async Task A_manifest_with_a_string_that_is_not_UTF8_is_refused_naming_the_manifest()
    {
        var layout = NewLayout();
        var layer = layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip);
        var config = layout.AddConfig();
        var json = $$"""{"schemaVersion":2,"mediaType":"{{OciLayout.ManifestType}}","config":{{config.ToJsonString()}},"layers":[{"mediaType":"BAD","digest":"{{layer["digest"]}}","size":{{layer["size"]}}}]}""";
        var manifest = layout.AddBlob(WithBadString(json, "BAD"), OciLayout.ManifestType);
        layout.Tagged(manifest);

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused((string)manifest["digest"]!);
    }

    [Test]
    public async Task A_package_lock_with_a_string_that_is_not_UTF8_never_crashes_the_scan()
    {
        var lockFile = WithBadString("""{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/ms":{"version":"BAD"}}}""", "BAD");
        var installed = WithBadString("""{"name":"BAD","version":"1.0.0"}""", "BAD");
        var layout = NewLayout().WithImage(Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", Layers.DebianStatus);
            tar.WriteFile("app/package-lock.json", lockFile);
            tar.WriteFile("app/node_modules/bad/package.json", installed);
        }));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertBounded();
        if (run.ExitCode == 2) run.AssertRefused("package");
        else Assert.That(run.ExitCode, Is.EqualTo(0), $"scanned (the bad files skipped) or refused with a reason naming them: {run}");
    }
}
