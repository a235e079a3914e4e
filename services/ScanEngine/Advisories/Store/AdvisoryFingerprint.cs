using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Osv;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>The hashes and index keys a store keeps for one advisory.</summary>
public sealed record AdvisoryFingerprint(string ContentHash, string AffectedHash, IReadOnlyList<AdvisoryPackageKey> PackageKeys)
{
    /// <summary>
    /// ContentHash: SHA-256 of the raw JSON canonicalised (object keys sorted, no whitespace), so a
    /// re-formatted record is unchanged. AffectedHash: SHA-256 of the affected section normalised (entries,
    /// ranges and events as sets, versions sorted and distinct; purls and *_specific ignored) plus the
    /// withdrawn flag. PackageKeys: distinct (ecosystem, normalised name) of the affected packages.
    /// </summary>
    public static AdvisoryFingerprint Of(OsvAdvisory advisory, string rawJson)
    {
        ArgumentNullException.ThrowIfNull(advisory);
        ArgumentNullException.ThrowIfNull(rawJson);
        return new AdvisoryFingerprint(ContentHashOf(rawJson), AffectedHashOf(advisory), PackageKeysOf(advisory));
    }

    public static string ContentHashOf(string rawJson)
    {
        using var document = JsonDocument.Parse(rawJson.AsMemory().TrimStart('\uFEFF'),
            new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 128 });
        var buffer = new ArrayBufferWriter<byte>(rawJson.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = true }))
            WriteCanonical(writer, document.RootElement);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    public static string AffectedHashOf(OsvAdvisory advisory)
    {
        var entries = advisory.Affected
            .Select(a =>
            {
                var ranges = a.Ranges
                    .Select(r => $"{r.Type}|{r.Repo}|{string.Join(",", r.Events.Select(EventText).Order(StringComparer.Ordinal))}")
                    .Order(StringComparer.Ordinal);
                var versions = a.Versions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                return $"{a.Package?.Ecosystem}\n{a.Package?.Name}\n{string.Join("\n", ranges)}\n{Escape(versions)}";
            })
            .Order(StringComparer.Ordinal);
        var text = $"withdrawn={advisory.IsWithdrawn}\n{string.Join("\n\u001e\n", entries)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static IReadOnlyList<AdvisoryPackageKey> PackageKeysOf(OsvAdvisory advisory) =>
        advisory.Affected
            .Where(a => a.Package is not null)
            .Select(a => new AdvisoryPackageKey(a.Package!.Ecosystem, AdvisoryPackageNames.Normalize(a.Package.Ecosystem, a.Package.Name)))
            .Distinct()
            .ToList();

    private static string EventText(OsvEvent e) => $"{e.Kind}:{e.Version}";

    private static string Escape(IEnumerable<string> versions) => string.Join("\u001f", versions);

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteCanonical(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
