using System.Globalization;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// CycloneDX VEX (specVersion 1.4 and later, the first with <c>vulnerabilities</c>): one statement per vulnerability that has an
/// <c>analysis</c>. Each <c>affects[].ref</c> is resolved through the document's bom-refs (metadata.component and components,
/// nested) to the component's purl, a BOM-Link ("urn:cdx:SERIAL/VERSION#REF") by its fragment. When the BOM describes a product
/// (metadata.component), the affected components are that product's subcomponents and a ref to the product itself covers every
/// package of it; without one, the affected components are the products.
/// States: not_affected and false_positive → not_affected, exploitable → affected, resolved and resolved_with_pedigree → fixed,
/// in_triage → under_investigation. Justifications: <see cref="VexJustifications.FromCycloneDx"/>.
/// </summary>
internal static class CycloneDxVexReader
{
    private const int MaxComponentDepth = 32;

    public static VexDocument Read(JsonElement root, string documentDigest, VexLimits limits)
    {
        var json = new VexJson(VexFormat.CycloneDx);
        var spec = json.RequiredText(root, "specVersion", "");
        if (!decimal.TryParse(spec, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var version) || version < 1.4m)
            throw json.Error("specVersion", $"'{VexJson.Printable(spec)}' is older than 1.4, the first CycloneDX with vulnerabilities");
        var metadata = json.Object(root, "metadata", "");
        var timestamp = json.Date(metadata, "timestamp", "metadata");
        var author = Author(json, metadata);
        var id = VexJson.Text(root, "serialNumber") is { } serial
            ? serial + (root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? "/" + v.GetRawText() : "")
            : documentDigest;

        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        var product = json.Object(metadata, "component", "metadata");
        string? productName = null;
        string? productRef = null;
        if (product.ValueKind == JsonValueKind.Object)
        {
            productRef = VexJson.Text(product, "bom-ref");
            productName = VexJson.Text(product, "purl") ?? productRef;
            Collect(json, product, "metadata.component", refs, 0);
        }
        foreach (var (component, i) in json.Array(root, "components", "").Select((c, i) => (c, i)))
            Collect(json, component, $"components[{i}]", refs, 0);

        var collector = new StatementCollector(limits, json);
        var vulnerabilities = json.Array(root, "vulnerabilities", "", required: true);
        for (var i = 0; i < vulnerabilities.Count; i++)
        {
            var path = $"vulnerabilities[{i}]";
            var vulnerability = vulnerabilities[i];
            if (vulnerability.ValueKind != JsonValueKind.Object) throw json.Error(path, $"expected an object, found {VexJson.Kind(vulnerability)}");
            var analysis = json.Object(vulnerability, "analysis", path);
            if (analysis.ValueKind != JsonValueKind.Object) continue; // a vulnerability report without analysis states nothing
            var vulnerabilityId = json.RequiredText(vulnerability, "id", path);
            var stateWord = json.RequiredText(analysis, "state", $"{path}.analysis");
            var status = StatusOf(stateWord)
                ?? throw json.Error($"{path}.analysis.state", $"'{VexJson.Printable(stateWord)}' is not a CycloneDX impact analysis state");
            var affects = json.Array(vulnerability, "affects", path, required: true);
            collector.Count(affects.Count, $"{path}.affects");
            var affected = new List<string>();
            for (var a = 0; a < affects.Count; a++)
                affected.Add(Resolve(json.RequiredText(affects[a], "ref", $"{path}.affects[{a}]"), refs));

            var coversProduct = productName is not null && affects.Any(a => VexJson.Text(a, "ref") is { } r && (r == productRef || Fragment(r) == productRef));
            var subcomponents = affected.Where(a => a != productName).Distinct(StringComparer.Ordinal).ToList();
            var justificationWord = VexJson.Text(analysis, "justification");
            var detail = VexJson.Text(analysis, "detail");
            collector.Add(new VexStatement
            {
                VulnerabilityId = vulnerabilityId,
                Aliases = json.Array(vulnerability, "references", path).Select(r => VexJson.Text(r, "id")).OfType<string>()
                    .Where(a => a != vulnerabilityId).Distinct(StringComparer.Ordinal).ToList(),
                Products = productName is null ? subcomponents : [productName],
                // A ref to the product itself makes the statement cover all of it, whatever else it lists.
                Subcomponents = productName is null || coversProduct ? [] : subcomponents,
                Status = status,
                Justification = VexJustifications.FromCycloneDx(justificationWord),
                SourceJustification = justificationWord,
                ImpactStatement = status.Silences() ? detail : null,
                ActionStatement = status.Silences() ? VexJson.Text(vulnerability, "recommendation") : detail ?? VexJson.Text(vulnerability, "recommendation"),
                Responses = json.Texts(analysis, "response", $"{path}.analysis"),
                Timestamp = json.Date(analysis, "lastUpdated", $"{path}.analysis") ?? json.Date(vulnerability, "updated", path)
                    ?? json.Date(analysis, "firstIssued", $"{path}.analysis") ?? json.Date(vulnerability, "published", path) ?? timestamp,
                DocumentId = id,
                Author = author,
                Format = VexFormat.CycloneDx,
            }, path);
        }
        return new VexDocument(VexFormat.CycloneDx, id, author, timestamp, collector.Statements);
    }

    public static VexStatus? StatusOf(string state) => state switch
    {
        "not_affected" or "false_positive" => VexStatus.NotAffected,
        "exploitable" => VexStatus.Affected,
        "resolved" or "resolved_with_pedigree" => VexStatus.Fixed,
        "in_triage" => VexStatus.UnderInvestigation,
        _ => null,
    };

    /// <summary>bom-ref → purl (or the bom-ref itself) for a component and the components nested in it.</summary>
    private static void Collect(VexJson json, JsonElement component, string path, Dictionary<string, string> refs, int depth)
    {
        if (component.ValueKind != JsonValueKind.Object || depth > MaxComponentDepth) return;
        if (VexJson.Text(component, "bom-ref") is { } bomRef) refs.TryAdd(bomRef, VexJson.Text(component, "purl") ?? bomRef);
        foreach (var (inner, i) in json.Array(component, "components", path).Select((c, i) => (c, i)))
            Collect(json, inner, $"{path}.components[{i}]", refs, depth + 1);
    }

    private static string Resolve(string reference, Dictionary<string, string> refs)
    {
        if (refs.TryGetValue(reference, out var named)) return named;
        if (Fragment(reference) is { } fragment) return refs.GetValueOrDefault(fragment) ?? fragment;
        return reference;
    }

    /// <summary>The bom-ref of a BOM-Link ("urn:cdx:SERIAL/VERSION#REF", REF percent-encoded), or null.</summary>
    private static string? Fragment(string reference) =>
        reference.StartsWith("urn:cdx:", StringComparison.Ordinal) && reference.IndexOf('#') is > 0 and var hash && hash < reference.Length - 1
            ? Uri.UnescapeDataString(reference[(hash + 1)..])
            : null;

    private static string? Author(VexJson json, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object) return null;
        foreach (var party in new[] { "supplier", "manufacturer", "manufacture" })
            if (json.Object(metadata, party, "metadata") is { ValueKind: JsonValueKind.Object } organization && VexJson.Text(organization, "name") is { } name)
                return name;
        return json.Array(metadata, "authors", "metadata").Select(a => VexJson.Text(a, "name")).OfType<string>().FirstOrDefault();
    }
}
