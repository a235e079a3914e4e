using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Apis;

/// <summary>
/// The query-string filters shared by the findings list and aggregations: lists are comma-separated, enum values are
/// case-insensitive, and anything unreadable is a 400 that names the parameter.
/// </summary>
public static class FindingFilterParameters
{
    public static bool TryParse(
        string? severity, string? status, string? vulnerabilityId, string? package, string? registry, string? repository,
        string? imageDigest, string? fixAvailable, string? layerHash, out FindingFilter filter, out string error)
    {
        filter = new FindingFilter();
        error = "";
        if (!TryParseList<FindingSeverity>(severity, "severity", out var severities, out error)) return false;
        if (!TryParseList<FindingStatus>(status, "status", out var statuses, out error)) return false;
        FixAvailable? fix = null;
        if (fixAvailable is not null)
        {
            if (!TryParseEnum<FixAvailable>(fixAvailable, out var parsed)) return Fail("fixAvailable", fixAvailable, out error);
            fix = parsed;
        }
        if (imageDigest is not null && !IsDigest(imageDigest))
        {
            error = "imageDigest must look like sha256:<64 hex digits>.";
            return false;
        }
        if (layerHash is not null && !IsDigest(layerHash))
        {
            error = "layerHash must look like sha256:<64 hex digits>.";
            return false;
        }
        foreach (var (name, value) in new[] { ("vulnerabilityId", vulnerabilityId), ("package", package), ("registry", registry), ("repository", repository) })
            if (value is { Length: 0 or > 1024 })
            {
                error = $"{name} must be 1-1024 characters.";
                return false;
            }
        // BASIC findings are stored as ECR's UNDEFINED and shown as Inspector's UNTRIAGED: either name selects both.
        if (severities is not null && severities.Any(s => s is FindingSeverity.UNDEFINED or FindingSeverity.UNTRIAGED))
            severities = [.. severities.Union([FindingSeverity.UNDEFINED, FindingSeverity.UNTRIAGED])];
        filter = new FindingFilter(severities, statuses, vulnerabilityId, package, registry, repository, imageDigest, fix, layerHash);
        return true;
    }

    public static bool TryParseEnum<T>(string value, out T parsed) where T : struct, Enum =>
        Enum.TryParse(value.Trim(), ignoreCase: true, out parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _);

    public static bool TryParseMaxResults(string? value, int max, out int maxResults, out string error)
    {
        maxResults = Math.Min(max, 50);
        error = "";
        if (value is null) return true;
        if (int.TryParse(value, out maxResults) && maxResults >= 1 && maxResults <= max) return true;
        error = $"maxResults must be an integer between 1 and {max}.";
        return false;
    }

    private static bool TryParseList<T>(string? value, string name, out IReadOnlyList<T>? list, out string error) where T : struct, Enum
    {
        list = null;
        error = "";
        if (value is null) return true;
        var parsed = new List<T>();
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParseEnum<T>(item, out var v)) return Fail(name, item, out error, string.Join(", ", Enum.GetNames<T>()));
            parsed.Add(v);
        }
        list = parsed;
        return true;
    }

    private static bool Fail(string name, string value, out string error, string? allowed = null)
    {
        error = $"'{value}' is not a valid {name}" + (allowed is null ? "." : $"; expected one of {allowed}.");
        return false;
    }

    private static bool IsDigest(string value) =>
        value.Length == 71 && value.StartsWith("sha256:", StringComparison.Ordinal) && value[7..].All(char.IsAsciiHexDigitLower);
}
