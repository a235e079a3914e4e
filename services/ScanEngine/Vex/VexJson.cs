using System.Globalization;
using System.Text.Json;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>Reads the fields of one VEX document, throwing <see cref="VexDocumentException"/> with the field's path for a missing or mistyped required one.</summary>
internal sealed class VexJson(VexFormat format)
{
    public VexFormat Format { get; } = format;

    public VexDocumentException Error(string field, string problem) => new(Format, field, problem);

    public static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    public string RequiredText(JsonElement element, string property, string path)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value))
            throw Error($"{path}.{property}".TrimStart('.'), "missing");
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
            throw Error($"{path}.{property}".TrimStart('.'), $"expected a non-empty string, found {Kind(value)}");
        return text;
    }

    /// <summary>The items of an array property; none when absent; an error when present and not an array.</summary>
    public IReadOnlyList<JsonElement> Array(JsonElement element, string property, string path, bool required = false)
    {
        var field = $"{path}.{property}".TrimStart('.');
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw Error(field, "missing") : [];
        if (value.ValueKind != JsonValueKind.Array) throw Error(field, $"expected an array, found {Kind(value)}");
        return value.EnumerateArray().ToList();
    }

    /// <summary>An object property; default when absent; an error when present and not an object.</summary>
    public JsonElement Object(JsonElement element, string property, string path, bool required = false)
    {
        var field = $"{path}.{property}".TrimStart('.');
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw Error(field, "missing") : default;
        if (value.ValueKind != JsonValueKind.Object) throw Error(field, $"expected an object, found {Kind(value)}");
        return value;
    }

    /// <summary>A date-time property; null when absent; an error when present and not an RFC 3339 date.</summary>
    public DateTimeOffset? Date(JsonElement element, string property, string path)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date.ToUniversalTime();
        throw Error($"{path}.{property}".TrimStart('.'), $"expected an RFC 3339 date-time, found {Kind(value)}");
    }

    /// <summary>The string items of an array property (non-strings skipped).</summary>
    public IReadOnlyList<string> Texts(JsonElement element, string property, string path) =>
        Array(element, property, path).Where(e => e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 })
            .Select(e => e.GetString()!).ToList();

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string '{Printable(value.GetString()!)}'",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>A document's text cut short and without control characters, for an error message.</summary>
    public static string Printable(string text)
    {
        var cut = text.Length > 80 ? text[..80] + "…" : text;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
