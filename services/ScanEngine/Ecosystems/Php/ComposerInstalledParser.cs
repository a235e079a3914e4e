using ImageScanning.ScanEngine.Model;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Ecosystems.Php;

/// <summary>A package Composer installed: "vendor/package" (lower case) and its version as Composer wrote it.</summary>
public readonly record struct ComposerPackage(string Name, string Version);

/// <summary>
/// Reads <c>vendor/composer/installed.json</c>: Composer 1 writes a JSON array of packages, Composer 2 an
/// object whose "packages" array holds them (dev packages included: they are installed too).
/// </summary>
public static class ComposerInstalledParser
{
    /// <summary>The packages with a name and a version; an unreadable file gives none.</summary>
    public static IReadOnlyList<ComposerPackage> Parse(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var doc = UntrustedJson.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
            var root = doc.RootElement;
            var packages = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("packages", out var p) && p.ValueKind == JsonValueKind.Array => p,
                _ => default,
            };
            if (packages.ValueKind != JsonValueKind.Array) return [];
            var found = new List<ComposerPackage>();
            foreach (var package in packages.EnumerateArray())
            {
                if (package.ValueKind != JsonValueKind.Object) continue;
                var name = Text(package, "name");
                var version = Text(package, "version");
                if (name is null || version is null) continue;
                found.Add(new ComposerPackage(name.ToLowerInvariant(), version));
            }
            return found;
        }
        catch (JsonException)
        {
            return []; // a truncated or corrupt file: nothing can be said about its packages
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : null;
}
