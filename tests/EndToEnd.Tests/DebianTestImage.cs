using System.Net.Http.Headers;
using System.Text.Json;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// A real Debian 12 image built once per test run: layer 1 is a debootstrap minbase root filesystem,
/// layer 2 installs the real `less` package with dpkg. Its dpkg status tells the tests which
/// packages and versions the image really holds.
/// </summary>
public static class DebianTestImage
{
    private static readonly Lazy<Task<BuiltImage>> Image = new(BuildAsync);

    public sealed record BuiltImage(OciLayoutImage Layout, IReadOnlyList<InstalledPackage> Packages);

    public sealed record InstalledPackage(string Name, string Version, string SourceName, string SourceVersion);

    public static Task<BuiltImage> GetAsync() => Image.Value;

    private static async Task<BuiltImage> BuildAsync()
    {
        var rootfs = await DebianRootfs.GetOrCreateAsync();
        var deb = await DebianRootfs.DownloadDebAsync();
        var work = Directory.CreateTempSubdirectory("imagescanning-e2e-image-").FullName;
        string? finalStatus = null;
        var layout = await TestImages.Builder()
            .LayerFromDirectory(rootfs)
            .Layer(editor =>
            {
                DebianRootfs.InstallDebAsync(editor.Root, deb).GetAwaiter().GetResult();
                finalStatus = File.ReadAllText(editor.PathOf("var/lib/dpkg/status"));
            })
            .BuildAsync("bookworm", work);
        return new BuiltImage(layout, ParseStatus(finalStatus!));
    }

    /// <summary>A deliberately independent reading of the status file (not the engine's parser), for expectations.</summary>
    private static List<InstalledPackage> ParseStatus(string status)
    {
        var packages = new List<InstalledPackage>();
        foreach (var paragraph in status.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = paragraph.Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && l.Contains(':'))
                .Select(l => (Key: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim()))
                .GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First().Value);
            if (!fields.TryGetValue("Status", out var state) || !state.EndsWith(" installed", StringComparison.Ordinal)) continue;
            var version = fields["Version"];
            var (sourceName, sourceVersion) = (fields["Package"], version);
            if (fields.TryGetValue("Source", out var source))
            {
                var parts = source.Split(' ', 2);
                sourceName = parts[0];
                if (parts.Length == 2) sourceVersion = parts[1].Trim('(', ')', ' ');
            }
            packages.Add(new InstalledPackage(fields["Package"], version, sourceName, sourceVersion));
        }
        return packages;
    }

    /// <summary>The layer digests of a pushed image, read from the registry itself.</summary>
    public static async Task<IReadOnlyList<string>> LayerDigestsAsync(RegistryServer registry, string repository, string digest)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.Url, $"/v2/{repository}/manifests/{digest}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
    }
}
