using System.Text.Json;

namespace ImageScanning.ScanEngine.Advisories.Sources;

/// <summary>One CVSS metric of an NVD record as published: version ("3.1", "3.0", "2.0", "4.0"), vector, score, severity, who scored it, Primary/Secondary.</summary>
public sealed record NvdCvss(string Version, string Vector, double BaseScore, string? BaseSeverity, string? Source, string? Type)
{
    public bool IsPrimary => string.Equals(Type, "Primary", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The CVSS data of one CVE: the preferred v3.x, v2 and v4 metrics (NVD's Primary first), and every metric read.</summary>
public sealed record NvdCvssRecord(string CveId, NvdCvss? CvssV3, NvdCvss? CvssV2, NvdCvss? CvssV4, IReadOnlyList<NvdCvss> All);

public sealed record NvdFeedResult(IReadOnlyList<NvdCvssRecord> Records, IReadOnlyList<ImportFailure> Skipped);

/// <summary>
/// Reads CVSS metrics from NVD CVE API 2.0 data in the forms it is found in: an API response page
/// (<c>{vulnerabilities: [{cve: {...}}]}</c>), one <c>{cve: {...}}</c> item, a bare cve object (vuln-list-nvd's
/// api/YYYY/ID.json), or a vunnel envelope (<c>{identifier, item: {cve: {...}}}</c>). The v3.x metric kept is the
/// Primary one (NVD's own) when there is one, v3.1 before v3.0; otherwise the first Secondary (the CNA's).
/// </summary>
public static class NvdCvssReader
{
    public const string SourceName = "nvd";

    public static async Task<NvdFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(feed, new JsonDocumentOptions { MaxDepth = 64 }, ct);
        }
        catch (JsonException e)
        {
            return new NvdFeedResult([], [new ImportFailure("(feed)", $"not valid JSON: {e.Message}")]);
        }
        using (document)
        {
            var records = new List<NvdCvssRecord>();
            var skipped = new List<ImportFailure>();
            var index = 0;
            foreach (var cve in CveObjects(document.RootElement))
            {
                var label = $"cve[{index++}]";
                if (Read(cve) is { } record) records.Add(record);
                else skipped.Add(new ImportFailure(label, "not a cve object with a CVE id"));
            }
            if (index == 0) skipped.Add(new ImportFailure("(feed)", "no NVD cve object found (expected vulnerabilities[], cve, item.cve or a cve object)"));
            return new NvdFeedResult(records, skipped);
        }
    }

    private static IEnumerable<JsonElement> CveObjects(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) yield break;
        if (root.TryGetProperty("vulnerabilities", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
                yield return item.ValueKind == JsonValueKind.Object && item.TryGetProperty("cve", out var cve) ? cve : item;
        }
        else if (root.TryGetProperty("item", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
            yield return wrapped.TryGetProperty("cve", out var cve) ? cve : wrapped;
        else if (root.TryGetProperty("cve", out var single) && single.ValueKind == JsonValueKind.Object)
            yield return single;
        else if (root.TryGetProperty("id", out _))
            yield return root;
    }

    private static NvdCvssRecord? Read(JsonElement cve)
    {
        if (cve.ValueKind != JsonValueKind.Object || Str(cve, "id") is not { } id || !id.StartsWith("CVE-", StringComparison.Ordinal)) return null;
        var all = new List<NvdCvss>();
        if (cve.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Object)
        {
            foreach (var family in new[] { "cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2" })
            {
                if (!metrics.TryGetProperty(family, out var entries) || entries.ValueKind != JsonValueKind.Array) continue;
                foreach (var entry in entries.EnumerateArray())
                    if (ReadMetric(entry) is { } metric) all.Add(metric);
            }
        }
        return new NvdCvssRecord(id, Prefer(all, "3.1", "3.0"), Prefer(all, "2.0"), Prefer(all, "4.0"), all);
    }

    private static NvdCvss? ReadMetric(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("cvssData", out var data) || data.ValueKind != JsonValueKind.Object) return null;
        if (Str(data, "vectorString") is not { Length: > 0 } vector || Str(data, "version") is not { } version) return null;
        if (!data.TryGetProperty("baseScore", out var score) || score.ValueKind != JsonValueKind.Number) return null;
        // v3/v4 carry baseSeverity in cvssData; v2 carries it beside cvssData.
        var severity = Str(data, "baseSeverity") ?? Str(entry, "baseSeverity");
        return new NvdCvss(version, vector, score.GetDouble(), severity, Str(entry, "source"), Str(entry, "type"));
    }

    /// <summary>The Primary metric of the listed versions (in order), else the first Secondary one.</summary>
    private static NvdCvss? Prefer(List<NvdCvss> all, params string[] versions)
    {
        var candidates = versions.SelectMany(v => all.Where(m => m.Version == v)).ToList();
        return candidates.FirstOrDefault(m => m.IsPrimary) ?? candidates.FirstOrDefault();
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
