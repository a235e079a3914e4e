using System.Text.Json;
using ImageScanning.ScanRouter.Data;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks;

/// <summary>
/// Real package inventories from the corpus (dpkg status and apk installed databases, npm and Cargo lock files), keyed as the
/// ScanRouter's reverse index keys them, to build a large catalog whose images hold realistic package sets.
/// </summary>
public static class RescanCatalog
{
    public sealed record Inventory(string Name, IReadOnlyCollection<ImagePackageKey> Packages);

    public static IReadOnlyList<Inventory> OperatingSystems() =>
    [
        Dpkg("debian-12-scalibr-valid", "Debian:12"),
        Dpkg("ubuntu-18.04-texlive", "Ubuntu:18.04"),
        Dpkg("ubuntu-18.04-trivy-valid", "Ubuntu:18.04"),
        Apk("alpine-3.16-syft", "Alpine:v3.16"),
        Apk("alpine-3.18-scalibr", "Alpine:v3.18"),
    ];

    public static IReadOnlyList<Inventory> Applications() =>
    [
        NpmLock("trivy-happy", Corpus.PathOf("inventory", "npm", "trivy-happy", "app", "package-lock.json")),
        NpmLock("syft-npm-lock", Corpus.PathOf("inventory", "npm", "syft-npm-lock", "app", "node_modules", "collapse-white-space", "package-lock.json")),
        CargoLock("trivy-ci-test", Corpus.PathOf("inventory", "cargo", "trivy-ci-test", "app", "Cargo.lock")),
        CargoLock("syft", Corpus.PathOf("inventory", "cargo", "syft", "app", "Cargo.lock")),
    ];

    /// <summary>dpkg: one key per source package (the binary name when no Source line), as Debian/Ubuntu advisories name them.</summary>
    private static Inventory Dpkg(string name, string ecosystem)
    {
        var keys = new HashSet<ImagePackageKey>();
        foreach (var stanza in File.ReadAllText(Corpus.PathOf("inventory", "dpkg", name, "var", "lib", "dpkg", "status")).Split("\n\n"))
        {
            string? package = null, source = null;
            foreach (var line in stanza.Split('\n'))
            {
                if (line.StartsWith("Package: ", StringComparison.Ordinal)) package = line[9..].Trim();
                else if (line.StartsWith("Source: ", StringComparison.Ordinal)) source = line[8..].Split(' ')[0].Trim();
            }
            if ((source ?? package) is { Length: > 0 } key) keys.Add(new ImagePackageKey(ecosystem, key));
        }
        return new Inventory(name, keys);
    }

    /// <summary>apk: the origin (o:) package, as Alpine's secdb and OSV name them.</summary>
    private static Inventory Apk(string name, string ecosystem)
    {
        var keys = new HashSet<ImagePackageKey>();
        foreach (var stanza in File.ReadAllText(Corpus.PathOf("inventory", "apk", name, "lib", "apk", "db", "installed")).Split("\n\n"))
        {
            string? package = null, origin = null;
            foreach (var line in stanza.Split('\n'))
            {
                if (line.StartsWith("P:", StringComparison.Ordinal)) package = line[2..].Trim();
                else if (line.StartsWith("o:", StringComparison.Ordinal)) origin = line[2..].Trim();
            }
            if ((origin ?? package) is { Length: > 0 } key) keys.Add(new ImagePackageKey(ecosystem, key));
        }
        return new Inventory(name, keys);
    }

    private static Inventory NpmLock(string name, string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var keys = new HashSet<ImagePackageKey>();
        void Walk(JsonElement dependencies)
        {
            foreach (var dependency in dependencies.EnumerateObject())
            {
                keys.Add(new ImagePackageKey("npm", dependency.Name));
                if (dependency.Value.TryGetProperty("dependencies", out var nested)) Walk(nested);
            }
        }
        if (document.RootElement.TryGetProperty("dependencies", out var top)) Walk(top);
        if (document.RootElement.TryGetProperty("packages", out var packages))
            foreach (var entry in packages.EnumerateObject().Where(p => p.Name.Contains("node_modules/", StringComparison.Ordinal)))
                keys.Add(new ImagePackageKey("npm", entry.Name[(entry.Name.LastIndexOf("node_modules/", StringComparison.Ordinal) + 13)..]));
        return new Inventory(name, keys);
    }

    private static Inventory CargoLock(string name, string path) => new(name, File.ReadLines(path)
        .Where(l => l.StartsWith("name = \"", StringComparison.Ordinal))
        .Select(l => new ImagePackageKey("crates.io", l[8..^1]))
        .ToHashSet());
}
