using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// A ScanRequest as Harbor sends it: <c>registry{url, authorization}</c>, <c>artifact{repository, digest, tag, mime_type}</c> and,
/// from spec v1.2, <c>enabled_capabilities</c>. Wrong JSON types are 400, missing or unacceptable values 422, capabilities or
/// artifact types this scanner does not have 501. The authorization is Harbor's pull credential: it is never kept or logged.
/// </summary>
public sealed partial record HarborScanRequest(string RegistryUrl, string Repository, string Digest, string? Tag, string? MimeType)
{
    public const string Vulnerability = "vulnerability";
    public const string Sbom = "sbom";

    public static bool IsDigest(string? value) => value is not null && DigestPattern().IsMatch(value);

    public static HarborScanRequest Parse(ReadOnlySpan<byte> body)
    {
        JsonObject root;
        try
        {
            // Duplicate members are refused while parsing (JsonObject would otherwise throw on first access, a 500).
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw HarborException.InvalidJson("The scan request must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw HarborException.InvalidJson($"The scan request is not valid JSON: {e.Message}");
        }
        var registry = Object(root, "registry") ?? throw HarborException.InvalidField("registry is required.");
        var artifact = Object(root, "artifact") ?? throw HarborException.InvalidField("artifact is required.");
        var url = String(registry, "registry.url", "url");
        if (string.IsNullOrWhiteSpace(url)) throw HarborException.InvalidField("registry.url is required.");
        // Checked for its type only: Harbor's pull credential is neither used, kept nor logged (docs/harbor-scanner.md).
        _ = String(registry, "registry.authorization", "authorization");
        var repository = String(artifact, "artifact.repository", "repository");
        if (string.IsNullOrEmpty(repository) || !RepositoryPattern().IsMatch(repository))
            throw HarborException.InvalidField($"artifact.repository '{repository}' is not a repository name (lower-case path components).");
        var digest = String(artifact, "artifact.digest", "digest");
        if (!IsDigest(digest))
            throw HarborException.InvalidField($"artifact.digest '{digest}' is not a digest of the form sha256:<64 hex digits>.");
        var mimeType = String(artifact, "artifact.mime_type", "mime_type");
        if (mimeType is not null && !HarborMediaTypes.ConsumedArtifacts.Any(m => HarborMediaTypes.Matches(mimeType, m)))
            throw HarborException.NotSupported(
                $"artifact.mime_type '{mimeType}' is not an artifact this scanner reads: {string.Join(", ", HarborMediaTypes.ConsumedArtifacts)}.");
        CheckCapabilities(root);
        return new HarborScanRequest(url.Trim(), repository, digest!,
            String(artifact, "artifact.tag", "tag") is { Length: > 0 } tag ? tag : null, mimeType);
    }

    /// <summary>
    /// Refuses enabled capabilities, report types or SBOM formats this scanner lacks. Which ones are enabled changes nothing else:
    /// one scan yields both the vulnerability report and the SBOM, so every report type can be asked for afterwards.
    /// </summary>
    private static void CheckCapabilities(JsonObject root)
    {
        if (root["enabled_capabilities"] is not { } node) return;
        if (node is not JsonArray items) throw HarborException.InvalidJson("enabled_capabilities must be an array.");
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"enabled_capabilities[{i}]";
            var item = items[i] as JsonObject ?? throw HarborException.InvalidJson($"{path} must be an object.");
            var type = String(item, path + ".type", "type") ?? throw HarborException.InvalidField($"{path}.type is required.");
            string[] produced = type switch
            {
                Vulnerability => new[] { HarborMediaTypes.HarborReportV10, HarborMediaTypes.SecurityReportV11 },
                Sbom => new[] { HarborMediaTypes.SbomReport },
                _ => throw HarborException.NotSupported($"{path}.type '{type}' is not a capability of this scanner (vulnerability, sbom)."),
            };
            if (item["produces_mime_types"] is JsonArray mimes)
                foreach (var mime in mimes.Select(m => m is JsonValue v && v.TryGetValue<string>(out var s) ? s
                    : throw HarborException.InvalidJson($"{path}.produces_mime_types must be strings.")))
                    if (!produced.Any(p => HarborMediaTypes.Matches(mime, p)))
                        throw HarborException.NotSupported($"{path}.produces_mime_types: this scanner does not produce '{mime}'.");
            if (item["parameters"] is JsonObject parameters && parameters["sbom_media_types"] is JsonArray formats)
                foreach (var format in formats.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s
                    : throw HarborException.InvalidJson($"{path}.parameters.sbom_media_types must be strings.")))
                    if (!HarborMediaTypes.SbomFormats.Contains(format, StringComparer.Ordinal))
                        throw HarborException.NotSupported($"{path}.parameters.sbom_media_types: '{format}' is not an SBOM format of this scanner.");
        }
    }

    private static JsonObject? Object(JsonObject parent, string name) => parent[name] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw HarborException.InvalidJson($"{name} must be an object."),
    };

    private static string? String(JsonObject parent, string path, string name) => parent[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw HarborException.InvalidJson($"{path} must be a string."),
    };

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();

    // The OCI distribution spec's repository name grammar.
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
