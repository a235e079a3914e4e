using System.Text.Json;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Ecosystems.RedHat;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// CSAF 2.0 VEX (document.category <c>csaf_vex</c>), read with the Red Hat ecosystem's <see cref="CsafDocument"/> and
/// <see cref="CsafProducts"/>, which know the product tree. A status's product id names either a product of the tree (its purl
/// or CPE becomes the statement's product) or a relationship "PLATFORM:COMPONENT" (the platform's CPE or purl is the product,
/// the component's purl the subcomponent). Statuses: known_not_affected → not_affected, fixed and first_fixed → fixed,
/// known_affected, first_affected and last_affected → affected, under_investigation. Justification: the <c>flags</c> label
/// naming the product; impact statement: the <c>threats</c> of category impact naming it; action: its <c>remediations</c>.
/// Products of one status with the same platform, justification and texts share one statement.
/// </summary>
internal static class CsafVexReader
{
    private static readonly (string Name, VexStatus Status)[] Statuses =
    [
        ("known_not_affected", VexStatus.NotAffected), ("fixed", VexStatus.Fixed), ("first_fixed", VexStatus.Fixed),
        ("known_affected", VexStatus.Affected), ("first_affected", VexStatus.Affected), ("last_affected", VexStatus.Affected),
        ("under_investigation", VexStatus.UnderInvestigation),
    ];

    public static VexDocument Read(byte[] content, VexLimits limits)
    {
        var json = new VexJson(VexFormat.Csaf);
        var skipped = new List<ImportFailure>();
        using var csaf = CsafDocument.Open(content, "csaf_vex", skipped)
            ?? throw json.Error("document", skipped.FirstOrDefault()?.Reason ?? "not a CSAF VEX document");
        var tracking = json.Object(csaf.Document, "tracking", "document", required: true);
        var id = json.RequiredText(tracking, "id", "document.tracking");
        var timestamp = json.Date(tracking, "current_release_date", "document.tracking") ?? json.Date(tracking, "initial_release_date", "document.tracking");
        var publisher = json.Object(csaf.Document, "publisher", "document");
        var author = VexJson.Text(publisher, "name");

        var collector = new StatementCollector(limits, json);
        var vulnerabilities = json.Array(csaf.Root, "vulnerabilities", "", required: true);
        for (var i = 0; i < vulnerabilities.Count; i++)
        {
            var path = $"vulnerabilities[{i}]";
            var vulnerability = vulnerabilities[i];
            if (vulnerability.ValueKind != JsonValueKind.Object) throw json.Error(path, $"expected an object, found {VexJson.Kind(vulnerability)}");
            var ids = json.Array(vulnerability, "ids", path).Select(e => VexJson.Text(e, "text")).OfType<string>().ToList();
            var cve = VexJson.Text(vulnerability, "cve");
            var vulnerabilityId = cve ?? ids.FirstOrDefault() ?? throw json.Error($"{path}.cve", "missing, and no ids[].text either");
            var aliases = ids.Where(a => a != vulnerabilityId).Distinct(StringComparer.Ordinal).ToList();
            var perProduct = new ProductTexts(json, csaf.Products, vulnerability, path);
            var statusObject = json.Object(vulnerability, "product_status", path);

            foreach (var (name, status) in Statuses)
            {
                var productIds = json.Texts(statusObject, name, $"{path}.product_status");
                collector.Count(productIds.Count, $"{path}.product_status.{name}");
                // Insertion order kept so statements come out in the document's order.
                var groups = new Dictionary<(string Platform, string? Justification, string? Impact, string? Action, string Responses), List<string>>();
                foreach (var productId in productIds)
                {
                    var (platform, component) = Name(csaf.Products, productId);
                    var texts = perProduct.For(productId);
                    var key = (platform, texts.Justification, texts.Impact, texts.Action, string.Join(',', texts.Responses));
                    if (!groups.TryGetValue(key, out var components)) groups[key] = components = [];
                    if (component is not null && !components.Contains(component)) components.Add(component);
                }
                foreach (var (key, components) in groups)
                    collector.Add(new VexStatement
                    {
                        VulnerabilityId = vulnerabilityId,
                        Aliases = aliases,
                        Products = [key.Platform],
                        Subcomponents = components,
                        Status = status,
                        Justification = VexJustifications.FromOpenVex(key.Justification),
                        SourceJustification = key.Justification,
                        ImpactStatement = key.Impact,
                        ActionStatement = key.Action,
                        Responses = key.Responses.Length == 0 ? [] : key.Responses.Split(','),
                        Timestamp = timestamp,
                        DocumentId = id,
                        Author = author,
                        Format = VexFormat.Csaf,
                    }, $"{path}.product_status.{name}");
            }
        }
        return new VexDocument(VexFormat.Csaf, id, author, timestamp, collector.Statements);
    }

    /// <summary>The statement's product (platform) and subcomponent (null: the whole product) a status's product id names.</summary>
    private static (string Product, string? Component) Name(CsafProducts products, string productId)
    {
        if (products.RelationshipOf(productId) is { } relationship)
            return (Identify(products, relationship.Platform), Identify(products, relationship.Component));
        return (Identify(products, productId), null);
    }

    /// <summary>A product id's purl, else its CPE, else the id itself (a product the tree does not identify).</summary>
    private static string Identify(CsafProducts products, string productId) =>
        products.PurlOf(productId) ?? products.CpeOf(productId) ?? productId;

    /// <summary>The flags, threats and remediations of one vulnerability by the product ids (and product groups) they name.</summary>
    private sealed class ProductTexts
    {
        private readonly List<(HashSet<string> Ids, string Label)> _flags = [];
        private readonly List<(HashSet<string> Ids, string Details)> _impacts = [];
        private readonly List<(HashSet<string> Ids, string Category, string? Details)> _remediations = [];

        public ProductTexts(VexJson json, CsafProducts products, JsonElement vulnerability, string path)
        {
            foreach (var (flag, i) in json.Array(vulnerability, "flags", path).Select((f, i) => (f, i)))
                if (VexJson.Text(flag, "label") is { } label) _flags.Add((Ids(json, products, flag, $"{path}.flags[{i}]"), label));
            foreach (var (threat, i) in json.Array(vulnerability, "threats", path).Select((t, i) => (t, i)))
                if (VexJson.Text(threat, "category") == "impact" && VexJson.Text(threat, "details") is { } details)
                    _impacts.Add((Ids(json, products, threat, $"{path}.threats[{i}]"), details));
            foreach (var (remediation, i) in json.Array(vulnerability, "remediations", path).Select((r, i) => (r, i)))
                if (VexJson.Text(remediation, "category") is { } category)
                    _remediations.Add((Ids(json, products, remediation, $"{path}.remediations[{i}]"), category, VexJson.Text(remediation, "details")));
        }

        /// <summary>An entry naming no product (no product_ids or group_ids) applies to all of the vulnerability's products.</summary>
        private static HashSet<string> Ids(VexJson json, CsafProducts products, JsonElement entry, string path)
        {
            var ids = new HashSet<string>(json.Texts(entry, "product_ids", path), StringComparer.Ordinal);
            foreach (var group in json.Texts(entry, "group_ids", path)) ids.UnionWith(products.GroupMembers(group));
            return ids;
        }

        private static bool Names(HashSet<string> ids, string productId) => ids.Count == 0 || ids.Contains(productId);

        public (string? Justification, string? Impact, string? Action, IReadOnlyList<string> Responses) For(string productId)
        {
            var remediations = _remediations.Where(r => Names(r.Ids, productId)).ToList();
            return (
                _flags.FirstOrDefault(f => Names(f.Ids, productId)).Label,
                _impacts.FirstOrDefault(t => Names(t.Ids, productId)).Details,
                remediations.Select(r => r.Details).OfType<string>().FirstOrDefault(),
                remediations.Select(r => r.Category).Distinct(StringComparer.Ordinal).ToList());
        }
    }
}
