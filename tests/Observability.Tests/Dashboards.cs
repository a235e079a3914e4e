using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.TestSupport;

namespace ImageScanning.Observability.Tests;

/// <summary>One PromQL expression of one dashboard panel (or of a template variable).</summary>
public sealed record PanelQuery(string Dashboard, string Panel, string Expression)
{
    public override string ToString() => $"{Dashboard} / {Panel}: {Expression}";
}

/// <summary>A template variable: its name and its query (Grafana's label_values(metric, label) or plain PromQL).</summary>
public sealed record TemplateVariable(string Dashboard, string Name, string Query);

/// <summary>The provisioned Grafana dashboards of deploy/grafana, read as Grafana reads them.</summary>
public sealed partial class Dashboards
{
    public static string Directory => Path.Combine(Corpus.RepositoryRoot, "deploy", "grafana", "dashboards");
    public static string DatasourcesFile => Path.Combine(Corpus.RepositoryRoot, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml");

    public IReadOnlyList<(string File, JsonObject Json)> All { get; }

    private Dashboards(IReadOnlyList<(string, JsonObject)> all) => All = all;

    public static Dashboards Load() => new(System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)
        .Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))!.AsObject())).ToList());

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) => Flatten(dashboard["panels"]?.AsArray() ?? []);

    private static IEnumerable<JsonObject> Flatten(JsonArray panels)
    {
        foreach (var panel in panels.Select(p => p!.AsObject()))
        {
            yield return panel;
            if (panel["panels"] is JsonArray nested)
                foreach (var inner in Flatten(nested)) yield return inner;
        }
    }

    public IEnumerable<PanelQuery> Queries() =>
        from d in All
        from panel in Panels(d.Json)
        from target in panel["targets"]?.AsArray() ?? []
        where target?["expr"] is not null
        select new PanelQuery(d.File, (string?)panel["title"] ?? "(untitled)", (string)target!["expr"]!);

    public IEnumerable<TemplateVariable> Variables() =>
        from d in All
        from variable in d.Json["templating"]?["list"]?.AsArray() ?? []
        where (string?)variable!["type"] == "query"
        select new TemplateVariable(d.File, (string)variable!["name"]!,
            variable["query"] is JsonObject q ? (string)q["query"]! : (string)variable["query"]!);

    /// <summary>Every datasource uid the dashboards name, on panels, targets and variables.</summary>
    public IEnumerable<(string Where, string Uid)> DatasourceUids() =>
        from d in All
        from node in Descendants(d.Json)
        where node["datasource"] is JsonObject
        select ($"{d.File} / {(string?)node["title"] ?? (string?)node["name"] ?? (string?)node["refId"]}", (string)node["datasource"]!["uid"]!);

    private static IEnumerable<JsonObject> Descendants(JsonNode? node) => node switch
    {
        JsonObject o => new[] { o }.Concat(o.SelectMany(p => Descendants(p.Value))),
        JsonArray a => a.SelectMany(Descendants),
        _ => [],
    };

    /// <summary>The datasource uids the provisioning file declares.</summary>
    public static IReadOnlyList<string> ProvisionedDatasourceUids() =>
        File.ReadAllLines(DatasourcesFile).Select(l => UidLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Grafana's label_values(selector, label) as the PromQL that lists the same values; plain PromQL as is.</summary>
    public static (string PromQl, string? Label) VariableQuery(string query)
    {
        var labelValues = LabelValues().Match(query.Trim());
        return labelValues.Success ? ($"group by ({labelValues.Groups[2].Value}) ({labelValues.Groups[1].Value})", labelValues.Groups[2].Value) : (query, null);
    }

    /// <summary>The expression as Grafana would send it: single-value template variables and its interval macros replaced.</summary>
    public static string Substitute(string expression, IReadOnlyDictionary<string, string> variables)
    {
        var result = expression.Replace("$__rate_interval", "1m").Replace("$__interval", "15s").Replace("$__range", "1h");
        foreach (var (name, value) in variables)
            result = result.Replace("${" + name + "}", value).Replace("$" + name, value);
        return result;
    }

    /// <summary>
    /// The metric names a PromQL expression reads: identifiers left once strings, label matchers, ranges, grouping
    /// label lists, function calls, keywords and numbers are taken out.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string promQl)
    {
        var text = StringLiteral().Replace(promQl, " ");
        text = LabelMatchers().Replace(text, " ");
        text = RangeSelector().Replace(text, " ");
        text = GroupingLabels().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !IsFollowedByParenthesis(text, m.Index + m.Length) && !Keywords.Contains(m.Value))
            .Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
    }

    private static bool IsFollowedByParenthesis(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index])) index++;
        return index < text.Length && text[index] == '(';
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        { "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "Inf", "NaN" };

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingLabels();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*uid:\s*""?([^""\s]+)""?\s*$")]
    private static partial Regex UidLine();

    [GeneratedRegex(@"^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$")]
    private static partial Regex LabelValues();
}
