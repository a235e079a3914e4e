using System.Text.Json;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// OpenVEX (v0.2.0, and the v0.0.x shape before it: a string vulnerability, string products, statement-level subcomponents).
/// A product or subcomponent is named by its <c>@id</c> and by its <c>identifiers.purl</c> when that differs.
/// </summary>
internal static class OpenVexReader
{
    public const string ContextPrefix = "https://openvex.dev/ns";

    public static VexDocument Read(JsonElement root, VexLimits limits)
    {
        var json = new VexJson(VexFormat.OpenVex);
        var id = json.RequiredText(root, "@id", "");
        var author = json.RequiredText(root, "author", "");
        var timestamp = json.Date(root, "timestamp", "");
        var updated = json.Date(root, "last_updated", "");
        var collector = new StatementCollector(limits, json);
        var statements = json.Array(root, "statements", "", required: true);
        for (var i = 0; i < statements.Count; i++)
        {
            var path = $"statements[{i}]";
            var statement = statements[i];
            if (statement.ValueKind != JsonValueKind.Object) throw json.Error(path, $"expected an object, found {VexJson.Kind(statement)}");
            var (vulnerability, aliases) = Vulnerability(json, statement, path);
            var statusWord = json.RequiredText(statement, "status", path);
            var status = StatusOf(statusWord) ?? throw json.Error($"{path}.status", $"'{VexJson.Printable(statusWord)}' is not not_affected, affected, fixed or under_investigation");
            var products = new List<string>();
            var subcomponents = new List<string>();
            var productItems = json.Array(statement, "products", path);
            collector.Count(productItems.Count, $"{path}.products");
            for (var p = 0; p < productItems.Count; p++)
            {
                var productPath = $"{path}.products[{p}]";
                products.AddRange(Names(json, productItems[p], productPath));
                var inner = json.Array(productItems[p].ValueKind == JsonValueKind.Object ? productItems[p] : default, "subcomponents", productPath);
                collector.Count(inner.Count, $"{productPath}.subcomponents");
                for (var s = 0; s < inner.Count; s++) subcomponents.AddRange(Names(json, inner[s], $"{productPath}.subcomponents[{s}]"));
            }
            foreach (var (item, s) in json.Array(statement, "subcomponents", path).Select((e, s) => (e, s)))
                subcomponents.AddRange(Names(json, item, $"{path}.subcomponents[{s}]"));
            if (products.Count == 0) throw json.Error($"{path}.products", "no product named");

            var justificationWord = VexJson.Text(statement, "justification");
            collector.Add(new VexStatement
            {
                VulnerabilityId = vulnerability,
                Aliases = aliases,
                Products = products.Distinct(StringComparer.Ordinal).ToList(),
                Subcomponents = subcomponents.Distinct(StringComparer.Ordinal).ToList(),
                Status = status,
                Justification = VexJustifications.FromOpenVex(justificationWord),
                SourceJustification = justificationWord,
                ImpactStatement = VexJson.Text(statement, "impact_statement"),
                ActionStatement = VexJson.Text(statement, "action_statement"),
                Timestamp = json.Date(statement, "last_updated", path) ?? json.Date(statement, "timestamp", path) ?? updated ?? timestamp,
                DocumentId = id,
                Author = VexJson.Text(statement, "supplier") ?? author,
                Format = VexFormat.OpenVex,
            }, path);
        }
        return new VexDocument(VexFormat.OpenVex, id, author, updated ?? timestamp, collector.Statements);
    }

    public static VexStatus? StatusOf(string word) => word switch
    {
        "not_affected" => VexStatus.NotAffected,
        "affected" => VexStatus.Affected,
        "fixed" => VexStatus.Fixed,
        "under_investigation" => VexStatus.UnderInvestigation,
        _ => null,
    };

    private static (string Id, IReadOnlyList<string> Aliases) Vulnerability(VexJson json, JsonElement statement, string path)
    {
        if (!statement.TryGetProperty("vulnerability", out var vulnerability)) throw json.Error($"{path}.vulnerability", "missing");
        if (vulnerability.ValueKind == JsonValueKind.String && vulnerability.GetString() is { Length: > 0 } old) return (old, []);
        if (vulnerability.ValueKind != JsonValueKind.Object)
            throw json.Error($"{path}.vulnerability", $"expected an object, found {VexJson.Kind(vulnerability)}");
        var name = VexJson.Text(vulnerability, "name") ?? VexJson.Text(vulnerability, "@id")
            ?? throw json.Error($"{path}.vulnerability.name", "missing");
        return (name, json.Texts(vulnerability, "aliases", $"{path}.vulnerability"));
    }

    /// <summary>A component's names: a string as is, an object's @id and identifiers.purl.</summary>
    private static IEnumerable<string> Names(VexJson json, JsonElement component, string path)
    {
        if (component.ValueKind == JsonValueKind.String && component.GetString() is { Length: > 0 } name) return [name];
        if (component.ValueKind != JsonValueKind.Object) throw json.Error(path, $"expected an object, found {VexJson.Kind(component)}");
        var names = new List<string>();
        if (VexJson.Text(component, "@id") is { } id) names.Add(id);
        var identifiers = json.Object(component, "identifiers", path);
        if (identifiers.ValueKind == JsonValueKind.Object && VexJson.Text(identifiers, "purl") is { } purl && purl != names.FirstOrDefault()) names.Add(purl);
        foreach (var hash in HashNames(component)) names.Add(hash);
        if (names.Count == 0) throw json.Error(path, "neither '@id' nor 'identifiers.purl'");
        return names;
    }

    /// <summary>"sha256:…" for a component identified by its sha-256 hash (an image manifest's digest).</summary>
    private static IEnumerable<string> HashNames(JsonElement component) =>
        component.TryGetProperty("hashes", out var hashes) && hashes.ValueKind == JsonValueKind.Object
        && VexJson.Text(hashes, "sha-256") is { } sha256
            ? ["sha256:" + sha256.ToLowerInvariant()]
            : [];
}
