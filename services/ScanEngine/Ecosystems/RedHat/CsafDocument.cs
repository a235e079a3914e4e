using System.Globalization;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// A parsed CSAF 2.0 document of one category (<c>csaf_security_advisory</c> or <c>csaf_vex</c>) and the pieces of it
/// both Red Hat readers use: its <c>document</c> object, the product tree, the vulnerabilities' product statuses and
/// CVSS v3 scores. Reading never throws on bad data: a missing or mistyped part reads as empty.
/// </summary>
public sealed class CsafDocument : IDisposable
{
    private readonly JsonDocument _json;

    private CsafDocument(JsonDocument json, JsonElement document)
    {
        _json = json;
        Document = document;
        Products = new CsafProducts(json.RootElement.TryGetProperty("product_tree", out var tree) ? tree : default);
    }

    public JsonElement Root => _json.RootElement;
    public JsonElement Document { get; }
    public CsafProducts Products { get; }

    /// <summary>The document, or null (with one skip saying why) when it is not CSAF 2.0 JSON of that category.</summary>
    public static CsafDocument? Open(byte[] content, string category, List<ImportFailure> skipped)
    {
        JsonDocument json;
        try
        {
            json = UntrustedJson.Parse(content, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            skipped.Add(new ImportFailure("(document)", $"not valid JSON: {e.Message}"));
            return null;
        }
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("document", out var document) || document.ValueKind != JsonValueKind.Object)
        {
            json.Dispose();
            skipped.Add(new ImportFailure("(document)", "not a CSAF document: no 'document' object"));
            return null;
        }
        var found = (CsafProducts.Text(document, "category"), CsafProducts.Text(document, "csaf_version"));
        if (found != (category, "2.0"))
        {
            json.Dispose();
            skipped.Add(new ImportFailure("(document)", $"expected a CSAF 2.0 {category} document, found category '{found.Item1}' version '{found.Item2}'"));
            return null;
        }
        return new CsafDocument(json, document);
    }

    /// <summary>The object items of an array property (none when absent or not an array).</summary>
    public static IEnumerable<JsonElement> Objects(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>The product ids a vulnerability's <c>product_status</c> lists under one status ("fixed", "known_affected").</summary>
    public static IEnumerable<string> StatusIds(JsonElement vulnerability, string status) =>
        vulnerability.TryGetProperty("product_status", out var statuses) && statuses.ValueKind == JsonValueKind.Object
        && statuses.TryGetProperty(status, out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!)
            : [];

    /// <summary>The CVSS v3 (base score, vector) pairs of a vulnerability's <c>scores</c>.</summary>
    public static IEnumerable<(double Score, string Vector)> Cvss3Scores(JsonElement vulnerability)
    {
        foreach (var score in Objects(vulnerability, "scores"))
        {
            if (!score.TryGetProperty("cvss_v3", out var cvss) || cvss.ValueKind != JsonValueKind.Object) continue;
            if (CsafProducts.Text(cvss, "vectorString") is not { } vector || !vector.StartsWith("CVSS:3", StringComparison.Ordinal)) continue;
            var baseScore = cvss.TryGetProperty("baseScore", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble() : 0;
            yield return (baseScore, vector);
        }
    }

    /// <summary>A date-time property, or null when absent or not a date.</summary>
    public static DateTimeOffset? Date(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && CsafProducts.Text(element, property) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.ToUniversalTime()
            : null;

    public void Dispose() => _json.Dispose();
}
