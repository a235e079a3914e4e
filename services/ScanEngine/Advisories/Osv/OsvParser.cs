using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Advisories.Osv;

/// <summary>An OSV record that could not be read, with the reason (and the record id when known).</summary>
public sealed class OsvParseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads OSV JSON with System.Text.Json. Tolerant where a mistake cannot hide a vulnerability:
/// unknown fields, missing or null optional fields, unreadable dates and malformed metadata entries
/// (severity, references, aliases) are skipped. Strict where it could: a record without an id, or an
/// <c>affected</c> section that is not shaped as the schema says, throws <see cref="OsvParseException"/>.
/// </summary>
public static class OsvParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 128,
    };

    public static OsvAdvisory Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json.AsMemory().TrimStart('\uFEFF'), DocumentOptions);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new OsvParseException($"Invalid JSON: {e.Message}", e);
        }
    }

    public static OsvAdvisory Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(StripBom(utf8Json), DocumentOptions);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new OsvParseException($"Invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Parses a record from an element; JSON kept from it is cloned, so the document may be disposed.</summary>
    public static OsvAdvisory Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new OsvParseException($"Not an OSV record: the JSON root is {Describe(root.ValueKind)}, expected an object.");

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(idElement.GetString()))
            throw new OsvParseException("Not an OSV record: it has no \"id\" string.");
        var id = idElement.GetString()!.Trim();

        try
        {
            var aliases = StringList(root, "aliases");
            var upstream = StringList(root, "upstream");
            var withdrawnPresent = root.TryGetProperty("withdrawn", out var withdrawnElement)
                                   && withdrawnElement.ValueKind != JsonValueKind.Null;
            return new OsvAdvisory
            {
                Id = id,
                SchemaVersion = String(root, "schema_version"),
                Modified = Time(root, "modified"),
                Published = Time(root, "published"),
                Withdrawn = Time(root, "withdrawn"),
                IsWithdrawn = withdrawnPresent,
                Aliases = aliases.Concat(upstream)
                    .Where(a => !string.Equals(a, id, StringComparison.Ordinal))
                    .Distinct(StringComparer.Ordinal)
                    .ToList(),
                Upstream = upstream,
                Related = StringList(root, "related"),
                Summary = String(root, "summary"),
                Details = String(root, "details"),
                Severity = SeverityList(root),
                References = ReferenceList(root),
                Affected = AffectedList(root),
                DatabaseSpecific = ObjectClone(root, "database_specific"),
            };
        }
        catch (OsvParseException e)
        {
            throw new OsvParseException($"OSV record {id}: {e.Message}", e.InnerException);
        }
    }

    /// <summary>Parses an OSV timestamp (RFC 3339, any number of fractional digits); null when unreadable.</summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var value)) return value;

        // .NET reads at most 7 fractional digits; osv.dev writes 9 ("...24.548042624Z").
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return null;
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        if (end - dot - 1 <= 7) return null;
        var trimmed = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, styles, out value) ? value : null;
    }

    private static IReadOnlyList<OsvAffected> AffectedList(JsonElement root)
    {
        if (!root.TryGetProperty("affected", out var array) || array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array)
            throw new OsvParseException($"\"affected\" is {Describe(array.ValueKind)}, expected an array.");

        var list = new List<OsvAffected>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"affected[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw new OsvParseException($"{path} is {Describe(item.ValueKind)}, expected an object.");
            list.Add(new OsvAffected
            {
                Package = Package(item, path),
                Ranges = RangeList(item, path),
                Versions = VersionList(item, path),
                Severity = SeverityList(item),
                EcosystemSpecific = ObjectClone(item, "ecosystem_specific"),
                DatabaseSpecific = ObjectClone(item, "database_specific"),
            });
        }
        return list;
    }

    private static OsvPackage? Package(JsonElement affected, string path)
    {
        if (!affected.TryGetProperty("package", out var package) || package.ValueKind == JsonValueKind.Null) return null;
        if (package.ValueKind != JsonValueKind.Object)
            throw new OsvParseException($"{path}.package is {Describe(package.ValueKind)}, expected an object.");
        var ecosystem = String(package, "ecosystem");
        var name = String(package, "name");
        if (string.IsNullOrWhiteSpace(ecosystem))
            throw new OsvParseException($"{path}.package has no \"ecosystem\".");
        if (string.IsNullOrWhiteSpace(name))
            throw new OsvParseException($"{path}.package has no \"name\".");
        return new OsvPackage(ecosystem, name, String(package, "purl"));
    }

    private static IReadOnlyList<OsvRange> RangeList(JsonElement affected, string path)
    {
        if (!affected.TryGetProperty("ranges", out var array) || array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array)
            throw new OsvParseException($"{path}.ranges is {Describe(array.ValueKind)}, expected an array.");

        var list = new List<OsvRange>(array.GetArrayLength());
        var index = 0;
        foreach (var range in array.EnumerateArray())
        {
            var rangePath = $"{path}.ranges[{index++}]";
            if (range.ValueKind != JsonValueKind.Object)
                throw new OsvParseException($"{rangePath} is {Describe(range.ValueKind)}, expected an object.");
            var type = String(range, "type");
            if (string.IsNullOrWhiteSpace(type))
                throw new OsvParseException($"{rangePath} has no \"type\".");
            if (!range.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
                throw new OsvParseException($"{rangePath} has no \"events\" array.");

            var eventList = new List<OsvEvent>(events.GetArrayLength());
            var eventIndex = 0;
            foreach (var evt in events.EnumerateArray())
                eventList.Add(Event(evt, $"{rangePath}.events[{eventIndex++}]"));
            list.Add(new OsvRange(type.Trim().ToUpperInvariant(), String(range, "repo"), eventList));
        }
        return list;
    }

    private static OsvEvent Event(JsonElement evt, string path)
    {
        if (evt.ValueKind != JsonValueKind.Object)
            throw new OsvParseException($"{path} is {Describe(evt.ValueKind)}, expected an object.");
        foreach (var property in evt.EnumerateObject())
        {
            OsvEventKind? kind = property.Name switch
            {
                "introduced" => OsvEventKind.Introduced,
                "fixed" => OsvEventKind.Fixed,
                "last_affected" => OsvEventKind.LastAffected,
                "limit" => OsvEventKind.Limit,
                _ => null,
            };
            if (kind is null) continue;
            var version = Scalar(property.Value);
            if (string.IsNullOrWhiteSpace(version))
                throw new OsvParseException($"{path}.{property.Name} has no version.");
            return new OsvEvent(kind.Value, version.Trim());
        }
        throw new OsvParseException($"{path} has none of introduced, fixed, last_affected, limit.");
    }

    private static IReadOnlyList<string> VersionList(JsonElement affected, string path)
    {
        if (!affected.TryGetProperty("versions", out var array) || array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array)
            throw new OsvParseException($"{path}.versions is {Describe(array.ValueKind)}, expected an array.");
        var list = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            var version = Scalar(item);
            if (!string.IsNullOrWhiteSpace(version)) list.Add(version.Trim());
        }
        return list;
    }

    private static IReadOnlyList<OsvSeverity> SeverityList(JsonElement parent)
    {
        if (!parent.TryGetProperty("severity", out var array) || array.ValueKind != JsonValueKind.Array) return [];
        var list = new List<OsvSeverity>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var type = String(item, "type");
            var score = item.TryGetProperty("score", out var s) ? Scalar(s) : null;
            if (!string.IsNullOrWhiteSpace(type) && !string.IsNullOrWhiteSpace(score))
                list.Add(new OsvSeverity(type.Trim(), score.Trim()));
        }
        return list;
    }

    private static IReadOnlyList<OsvReference> ReferenceList(JsonElement root)
    {
        if (!root.TryGetProperty("references", out var array) || array.ValueKind != JsonValueKind.Array) return [];
        var list = new List<OsvReference>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var url = String(item, "url");
            if (string.IsNullOrWhiteSpace(url)) continue;
            list.Add(new OsvReference(String(item, "type")?.Trim().ToUpperInvariant() ?? "WEB", url.Trim()));
        }
        return list;
    }

    private static IReadOnlyList<string> StringList(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array) return [];
        var list = new List<string>();
        foreach (var item in array.EnumerateArray())
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } value
                && !string.IsNullOrWhiteSpace(value))
                list.Add(value.Trim());
        return list;
    }

    private static string? String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A string, or a number written where a string belongs ("versions": [1.0]) as its JSON text.</summary>
    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static DateTimeOffset? Time(JsonElement parent, string name) => ParseTime(String(parent, name));

    private static JsonElement? ObjectClone(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    private static ReadOnlyMemory<byte> StripBom(ReadOnlyMemory<byte> utf8) =>
        utf8.Span.StartsWith(Encoding.UTF8.Preamble) ? utf8[Encoding.UTF8.Preamble.Length..] : utf8;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "empty",
    };
}
