using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Osv;

namespace ImageScanning.ScanEngine.Advisories.Sources;

/// <summary>
/// Writes an <see cref="OsvAdvisory"/> as OSV JSON (the inverse of <see cref="OsvParser"/> for the fields the
/// engine keeps). Output is deterministic for equal input, so re-importing an unchanged feed stores the same
/// content hash. <c>aliases</c> are written without the entries that are also in <c>upstream</c>.
/// </summary>
public static class OsvWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    public static string Write(OsvAdvisory advisory)
    {
        ArgumentNullException.ThrowIfNull(advisory);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema_version", advisory.SchemaVersion ?? "1.6.0");
            w.WriteString("id", advisory.Id);
            if (advisory.Published is { } published) w.WriteString("published", published.ToString("O"));
            if (advisory.Modified is { } modified) w.WriteString("modified", modified.ToString("O"));
            if (advisory.Withdrawn is { } withdrawn) w.WriteString("withdrawn", withdrawn.ToString("O"));
            var upstream = new HashSet<string>(advisory.Upstream, StringComparer.Ordinal);
            WriteStrings(w, "aliases", advisory.Aliases.Where(a => !upstream.Contains(a)));
            WriteStrings(w, "upstream", advisory.Upstream);
            WriteStrings(w, "related", advisory.Related);
            if (advisory.Summary is { } summary) w.WriteString("summary", summary);
            if (advisory.Details is { } details) w.WriteString("details", details);
            WriteSeverity(w, advisory.Severity);
            w.WriteStartArray("affected");
            foreach (var affected in advisory.Affected) WriteAffected(w, affected);
            w.WriteEndArray();
            if (advisory.References.Count > 0)
            {
                w.WriteStartArray("references");
                foreach (var reference in advisory.References)
                {
                    w.WriteStartObject();
                    w.WriteString("type", reference.Type);
                    w.WriteString("url", reference.Url);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            WriteElement(w, "database_specific", advisory.DatabaseSpecific);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteAffected(Utf8JsonWriter w, OsvAffected affected)
    {
        w.WriteStartObject();
        if (affected.Package is { } package)
        {
            w.WriteStartObject("package");
            w.WriteString("ecosystem", package.Ecosystem);
            w.WriteString("name", package.Name);
            if (package.Purl is { } purl) w.WriteString("purl", purl);
            w.WriteEndObject();
        }
        WriteSeverity(w, affected.Severity);
        if (affected.Ranges.Count > 0)
        {
            w.WriteStartArray("ranges");
            foreach (var range in affected.Ranges)
            {
                w.WriteStartObject();
                w.WriteString("type", range.Type);
                if (range.Repo is { } repo) w.WriteString("repo", repo);
                w.WriteStartArray("events");
                foreach (var e in range.Events)
                {
                    w.WriteStartObject();
                    w.WriteString(EventName(e.Kind), e.Version);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        WriteStrings(w, "versions", affected.Versions);
        WriteElement(w, "ecosystem_specific", affected.EcosystemSpecific);
        WriteElement(w, "database_specific", affected.DatabaseSpecific);
        w.WriteEndObject();
    }

    private static string EventName(OsvEventKind kind) => kind switch
    {
        OsvEventKind.Introduced => "introduced",
        OsvEventKind.Fixed => "fixed",
        OsvEventKind.LastAffected => "last_affected",
        OsvEventKind.Limit => "limit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown OSV event kind"),
    };

    private static void WriteSeverity(Utf8JsonWriter w, IReadOnlyList<OsvSeverity> severity)
    {
        if (severity.Count == 0) return;
        w.WriteStartArray("severity");
        foreach (var entry in severity)
        {
            w.WriteStartObject();
            w.WriteString("type", entry.Type);
            w.WriteString("score", entry.Score);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var value in list) w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter w, string name, JsonElement? element)
    {
        if (element is not { ValueKind: not JsonValueKind.Undefined } e) return;
        w.WritePropertyName(name);
        e.WriteTo(w);
    }
}
