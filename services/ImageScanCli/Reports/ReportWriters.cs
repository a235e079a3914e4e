using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ImageScanning.Cli.Cli;
using ImageScanning.ScanEngine.Sbom;

namespace ImageScanning.Cli.Reports;

/// <summary>Renders a report in the format asked for.</summary>
public static class ReportWriters
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Render(ScanReport report, ReportFormat format) => format switch
    {
        ReportFormat.Json => JsonSerializer.Serialize(report, Json) + "\n",
        ReportFormat.Sarif => Sarif(report).ToJsonString(Json) + "\n",
        ReportFormat.CycloneDx => CycloneDx(report).ToJsonString(Json) + "\n",
        _ => Table(report),
    };

    public static string Table(ScanReport report)
    {
        var text = new StringBuilder();
        var endOfLife = report.Os?.EndOfLife is { } end ? $"; end of life {end:yyyy-MM-dd}" + (report.Os.Eosl ? ", reached" : "") : "";
        text.AppendLine($"{report.Target} ({report.Os?.PrettyName ?? "no OS detected"}{endOfLife}) — {report.ScanType} scan: {report.Packages.Count} packages, {report.Findings.Count} findings"
            + (report.Summary.Count == 0 ? "" : " (" + string.Join(", ", report.Summary.Select(s => $"{s.Key} {s.Value}")) + ")"));
        if (report.Findings.Count == 0) return text.AppendLine("No known vulnerabilities found.").ToString();
        string[] header = ["PACKAGE", "VERSION", "VULNERABILITY", "SEVERITY", "FIXED IN", "LAYER", "PATH"];
        var rows = report.Findings.Select(f => new[]
        {
            f.Package.Name, f.Package.Version, f.VulnerabilityId, f.Severity, f.FixedInVersion ?? "-",
            f.Layer.StartsWith("sha256:", StringComparison.Ordinal) ? f.Layer[7..19] : f.Layer, f.Path,
        }).ToList();
        var widths = header.Select((h, i) => Math.Min(60, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        void Row(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c).PadRight(widths[i]))).TrimEnd());
        Row(header);
        foreach (var row in rows) Row(row);
        return text.ToString();
    }

    /// <summary>SARIF 2.1.0: one rule per vulnerability, one result per vulnerable package.</summary>
    public static JsonObject Sarif(ScanReport report)
    {
        var rules = new JsonArray();
        foreach (var f in report.Findings.GroupBy(f => f.VulnerabilityId).Select(g => g.First()))
            rules.Add(new JsonObject
            {
                ["id"] = f.VulnerabilityId,
                ["shortDescription"] = new JsonObject { ["text"] = f.Title ?? f.VulnerabilityId },
                ["helpUri"] = f.Url,
                ["properties"] = new JsonObject
                {
                    ["security-severity"] = (f.CvssScore ?? SeverityScore(f.Severity)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                    ["tags"] = new JsonArray("security", "vulnerability", f.Severity),
                },
            });
        var results = new JsonArray();
        foreach (var f in report.Findings)
            results.Add(new JsonObject
            {
                ["ruleId"] = f.VulnerabilityId,
                ["level"] = f.Severity is "CRITICAL" or "HIGH" ? "error" : f.Severity == "MEDIUM" ? "warning" : "note",
                ["message"] = new JsonObject
                {
                    ["text"] = $"{f.Package.Name} {f.Package.Version} is affected by {f.VulnerabilityId} ({f.Severity})" +
                               (f.FixedInVersion is null ? "; no fix is known." : $"; fixed in {f.FixedInVersion}."),
                },
                ["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = f.Path } },
                    ["message"] = new JsonObject { ["text"] = "layer " + f.Layer },
                }),
                ["properties"] = new JsonObject { ["purl"] = f.Package.Purl, ["layer"] = f.Layer },
            });
        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject { ["driver"] = new JsonObject { ["name"] = "imagescan", ["informationUri"] = "https://github.com/", ["rules"] = rules } },
                ["results"] = results,
            }),
        };
    }

    /// <summary>CycloneDX 1.5 JSON: the image's packages as components and the findings as vulnerabilities (the shared SBOM writer).</summary>
    public static JsonObject CycloneDx(ScanReport report) => SbomWriter.CycloneDx(
        new SbomSubject(report.Target, report.Image.Digest, "imagescan"),
        report.Packages.Select(p => new SbomComponent(p.Name, p.Version, p.Purl, p.Path, p.Layer)),
        report.Findings.Select(f => new SbomVulnerability(f.VulnerabilityId, f.Aliases, f.Severity, f.Title, f.Url, f.CvssScore, f.CvssVector, [f.Package.Purl])),
        DateTimeOffset.UtcNow);

    private static double SeverityScore(string severity) => severity switch
    {
        "CRITICAL" => 9.5,
        "HIGH" => 8.0,
        "MEDIUM" => 5.5,
        "LOW" => 2.0,
        _ => 0.0,
    };
}
