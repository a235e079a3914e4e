using System.Text.Json;

namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// Parses JSON taken from an image. <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> accepts string
/// values that are not valid UTF-8 (or escape a lone surrogate) and only <c>GetString()</c> fails on them later, with an
/// InvalidOperationException no parser expects. Every string is checked here first, so such a document fails as the
/// <see cref="JsonException"/> every parser already handles, with the position of the bad string.
/// </summary>
public static class UntrustedJson
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options = default)
    {
        Validate(utf8.Span, options);
        return JsonDocument.Parse(utf8, options);
    }

    private static void Validate(ReadOnlySpan<byte> utf8, JsonDocumentOptions options)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.CommentHandling,
            MaxDepth = options.MaxDepth,
        });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            var valid = reader.ValueIsEscaped ? TryUnescape(ref reader) : System.Text.Unicode.Utf8.IsValid(reader.ValueSpan);
            if (!valid)
                throw new JsonException($"A string at byte {reader.TokenStartIndex} is not valid UTF-8 (or escapes a lone surrogate).");
        }
    }

    private static bool TryUnescape(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
