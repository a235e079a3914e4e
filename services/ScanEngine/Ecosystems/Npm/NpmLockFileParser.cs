using ImageScanning.ScanEngine.Model;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Ecosystems.Npm;

/// <summary>One package locked by a package-lock.json; <see cref="Dev"/> when only dev dependencies need it.</summary>
public sealed record NpmLockEntry(string Name, string Version, bool Dev);

/// <summary>
/// Reads npm's package-lock.json: lockfileVersion 2 and 3 through the "packages" map keyed by install path
/// ("node_modules/a/node_modules/@s/b"), lockfileVersion 1 (and v2 files without "packages") through the
/// nested "dependencies" tree. Skipped: the root project (key ""), workspace folders (keys outside
/// node_modules), symlinked entries ("link": true, they point at a folder reported on its own), and entries
/// whose version is not a registry version (file:, git, http tarballs). Aliases ("npm:real@1.2.3" in v1,
/// a "name" field in v2/v3) are reported under the real package name. Each (name, version) once.
/// </summary>
public static class NpmLockFileParser
{
    private const string NodeModules = "node_modules/";

    /// <exception cref="FormatException">The content is not a JSON object.</exception>
    public static IReadOnlyList<NpmLockEntry> Parse(ReadOnlySpan<byte> content)
    {
        JsonDocument document;
        try
        {
            document = UntrustedJson.Parse(content.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FormatException($"package-lock.json is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("package-lock.json is not a JSON object.");
            var entries = new List<NpmLockEntry>();
            var seen = new HashSet<(string, string)>();
            void Add(string name, string version, bool dev)
            {
                if (Alias(version) is { } alias) (name, version) = alias;
                if (name.Length == 0 || !IsRegistryVersion(version)) return;
                if (seen.Add((name, version))) entries.Add(new NpmLockEntry(name, version, dev));
            }

            if (root.TryGetProperty("packages", out var packages) && packages.ValueKind == JsonValueKind.Object)
                ReadPackages(packages, Add);
            else if (root.TryGetProperty("dependencies", out var dependencies) && dependencies.ValueKind == JsonValueKind.Object)
                ReadDependencies(dependencies, Add, depth: 0);
            return entries;
        }
    }

    private static void ReadPackages(JsonElement packages, Action<string, string, bool> add)
    {
        foreach (var property in packages.EnumerateObject())
        {
            var path = property.Name;
            var last = path.LastIndexOf(NodeModules, StringComparison.Ordinal);
            if (last < 0 || (last > 0 && path[last - 1] != '/')) continue; // the root project or a workspace folder
            var entry = property.Value;
            if (entry.ValueKind != JsonValueKind.Object || Bool(entry, "link")) continue;
            var name = String(entry, "name") ?? path[(last + NodeModules.Length)..];
            if (String(entry, "version") is { } version)
                add(name, version, Bool(entry, "dev"));
        }
    }

    private static void ReadDependencies(JsonElement dependencies, Action<string, string, bool> add, int depth)
    {
        if (depth > 256) return; // a pathological file; real trees are a few levels deep
        foreach (var property in dependencies.EnumerateObject())
        {
            var entry = property.Value;
            if (entry.ValueKind != JsonValueKind.Object) continue;
            if (String(entry, "version") is { } version)
                add(property.Name, version, Bool(entry, "dev"));
            if (entry.TryGetProperty("dependencies", out var nested) && nested.ValueKind == JsonValueKind.Object)
                ReadDependencies(nested, add, depth + 1);
        }
    }

    /// <summary>"npm:string-width@4.2.3" → ("string-width", "4.2.3"); scoped names keep their "@".</summary>
    private static (string Name, string Version)? Alias(string version)
    {
        if (!version.StartsWith("npm:", StringComparison.Ordinal)) return null;
        var spec = version[4..];
        var at = spec.LastIndexOf('@');
        return at > 0 ? (spec[..at], spec[(at + 1)..]) : null;
    }

    /// <summary>Registry versions start with a digit (or "v"); file:, link:, git+, http(s) tarballs do not.</summary>
    private static bool IsRegistryVersion(string version) =>
        version.Length > 0 && (char.IsAsciiDigit(version[0]) || (version.Length > 1 && version[0] is 'v' or '=' && char.IsAsciiDigit(version[1])))
        && !version.Contains(':', StringComparison.Ordinal) && !version.Contains('/', StringComparison.Ordinal);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
