using ImageScanning.ScanEngine.Model;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Ecosystems.DotNet;

/// <summary>A NuGet package a .NET application was built against, from its *.deps.json.</summary>
public sealed record DepsJsonLibrary(string Name, string Version);

/// <summary>
/// Reads the "libraries" of a .NET <c>*.deps.json</c>: each key is "Name/Version"; only libraries of type
/// "package" are NuGet packages ("project" is the application or one of its own projects, "reference" a
/// plain assembly reference). Each (name, version) once, in file order.
/// </summary>
public static class DepsJsonParser
{
    /// <exception cref="FormatException">The content is not a JSON object.</exception>
    public static IReadOnlyList<DepsJsonLibrary> Parse(ReadOnlySpan<byte> content)
    {
        JsonDocument document;
        try
        {
            document = UntrustedJson.Parse(content.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FormatException($"deps.json is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("deps.json is not a JSON object.");
            var libraries = new List<DepsJsonLibrary>();
            if (!document.RootElement.TryGetProperty("libraries", out var all) || all.ValueKind != JsonValueKind.Object) return libraries;
            var seen = new HashSet<(string, string)>();
            foreach (var library in all.EnumerateObject())
            {
                if (library.Value.ValueKind != JsonValueKind.Object
                    || !library.Value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                    || !string.Equals(type.GetString(), "package", StringComparison.OrdinalIgnoreCase)) continue;
                var slash = library.Name.IndexOf('/');
                if (slash <= 0 || slash == library.Name.Length - 1) continue; // not "Name/Version"
                var name = library.Name[..slash].Trim();
                var version = library.Name[(slash + 1)..].Trim();
                if (name.Length > 0 && version.Length > 0 && seen.Add((name, version)))
                    libraries.Add(new DepsJsonLibrary(name, version));
            }
            return libraries;
        }
    }
}
