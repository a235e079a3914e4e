using System.Globalization;
using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>
/// Reads one endoflife.date API file (<c>https://endoflife.date/api/&lt;product&gt;.json</c>): an array of
/// <c>{cycle, releaseDate, eol, support, extendedSupport, codename, latest}</c> where <c>eol</c> and <c>extendedSupport</c> are a date
/// or a boolean. <c>eol: false</c> is a release with no announced end; <c>eol: true</c> without a date ended on a day the file does not
/// say, so its release date stands in (it is past in any case).
/// </summary>
public static class EndOfLifeFeed
{
    /// <exception cref="JsonException">The text is not such an array.</exception>
    public static IReadOnlyList<DistributionRelease> Parse(EndOfLifeProduct product, string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new JsonException($"{product.Product}.json is not an array of release cycles.");
        var releases = new List<DistributionRelease>();
        foreach (var cycle in document.RootElement.EnumerateArray())
        {
            if (cycle.ValueKind != JsonValueKind.Object || Text(cycle, "cycle") is not { Length: > 0 } version) continue;
            var releaseDate = DateOf(cycle, "releaseDate");
            var eol = EndOf(cycle, "eol", releaseDate);
            var extended = EndOf(cycle, "extendedSupport", releaseDate);
            if (eol is { Ended: true, Date: null } || (product.ExtendedIsFreeSecuritySupport && extended is { Ended: true, Date: null })) continue;
            var (security, extendedEnd) = product.ExtendedIsFreeSecuritySupport
                ? (extended?.Date ?? eol?.Date, (DateOnly?)null)
                : (eol?.Date, extended?.Date);
            releases.Add(new DistributionRelease(product.DistributionId, version, CodenameOf(Text(cycle, "codename")), security, extendedEnd));
        }
        return releases;
    }

    /// <summary>os-release's style: "Bookworm" is "bookworm", "Jammy Jellyfish" is "jammy".</summary>
    private static string? CodenameOf(string? codename) =>
        string.IsNullOrWhiteSpace(codename) ? null : codename.Trim().Split(' ')[0].ToLowerInvariant();

    private readonly record struct End(bool Ended, DateOnly? Date);

    private static End? EndOf(JsonElement cycle, string name, DateOnly? releaseDate)
    {
        if (!cycle.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.False => new End(false, null),
            JsonValueKind.True => new End(true, releaseDate),
            JsonValueKind.String when ParseDate(value.GetString()) is { } date => new End(true, date),
            _ => null,
        };
    }

    private static DateOnly? DateOf(JsonElement cycle, string name) =>
        cycle.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? ParseDate(value.GetString()) : null;

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static string? Text(JsonElement cycle, string name) =>
        cycle.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(), // some products' cycles are numbers
            _ => null,
        } : null;
}
