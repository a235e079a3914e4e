using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>Reading and checking the fields every registry's payload names: strings, repositories, digests, tags, times.</summary>
public static partial class WebhookFields
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The object at <paramref name="path"/> (each step a property), or null when any step is missing or not an object.</summary>
    public static JsonElement? Object(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element.ValueKind == JsonValueKind.Object ? element : null;
    }

    /// <summary>A body parsed as a JSON object, or a <see cref="WebhookFormatException"/> saying what it is instead.</summary>
    public static JsonDocument ParseObject(string body, string expected)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(body); }
        catch (JsonException e) { throw new WebhookFormatException($"The body is not valid JSON: {e.Message}"); }
        if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
        document.Dispose();
        throw new WebhookFormatException($"Expected {expected}: a JSON object.");
    }

    /// <summary>A time given as Unix seconds (a number, or a number in a string), or null.</summary>
    public static DateTimeOffset? UnixSeconds(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)) return DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return null;
    }

    /// <summary>An RFC 3339 time, or null.</summary>
    public static DateTimeOffset? Time(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String &&
        value.TryGetDateTimeOffset(out var at) ? at : null;

    public static bool IsRepository(string? name) => name is not null && name.Length <= 255 && RepositoryName().IsMatch(name);

    public static bool IsDigest(string? digest) => digest is not null && Sha256Digest().IsMatch(digest);

    public static bool IsTag(string? tag) => tag is not null && TagName().IsMatch(tag);

    /// <summary>Distribution's repository name grammar (path components of lowercase alphanumerics and separators).</summary>
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex Sha256Digest();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagName();
}
