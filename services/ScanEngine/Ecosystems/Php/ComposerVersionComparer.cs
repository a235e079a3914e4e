using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Php;

/// <summary>
/// Composer (Packagist) version ordering: each version is first normalised as composer/semver's
/// <c>VersionParser::normalize</c> does (optional "v", four numeric parts, stability suffix expanded:
/// "1.0.0RC1dev" → "1.0.0.0-RC1-dev", "v2.1" → "2.1.0.0", "1.x-dev" → "1.9999999.9999999.9999999-dev"),
/// then two normalised versions are ordered by PHP's <c>version_compare</c>, which places
/// dev &lt; alpha &lt; beta &lt; RC &lt; stable &lt; patch/pl.
/// <para>
/// Lenient fallback: branch versions ("dev-main") and strings Composer cannot normalise are not comparable
/// in Composer (its comparisons say false either way); here they sort before every numeric version, as
/// version_compare places them, and ordinally among themselves, so that the order stays total: branches by
/// their normalised name (Composer's own equality: "master" is "dev-master"), other strings as written,
/// trimmed. Compare never throws; null sorts first.
/// </para>
/// </summary>
public sealed partial class ComposerVersionComparer : IVersionComparer
{
    public static readonly ComposerVersionComparer Instance = new();

    public string Scheme => "composer";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = Normalize(x);
        var b = Normalize(y);
        var aNumeric = IsNumeric(a);
        var bNumeric = IsNumeric(b);
        if (aNumeric && bNumeric) return PhpVersionCompare.Compare(a!, b!);
        if (aNumeric != bNumeric) return aNumeric ? 1 : -1;
        return Math.Sign(string.CompareOrdinal(a ?? x.Trim(), b ?? y.Trim()));
    }

    private static bool IsNumeric(string? normalized) => normalized is not null && !normalized.StartsWith("dev-", StringComparison.Ordinal);

    /// <summary>
    /// composer/semver's normalised form of a version, "dev-NAME" for a branch, or null where Composer
    /// would throw UnexpectedValueException.
    /// </summary>
    public static string? Normalize(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var v = version.Trim();
        if (v.Length is 0 or > 256) return null;
        if (Alias().Match(v) is { Success: true } alias) v = alias.Groups[1].Value;
        if (StabilityFlag().Match(v) is { Success: true } flag) v = v[..flag.Index];
        if (v is "master" or "trunk" or "default") v = "dev-" + v;
        if (v.StartsWith("dev-", StringComparison.OrdinalIgnoreCase)) return "dev-" + v[4..];
        if (BuildMetadata().Match(v) is { Success: true } build) v = build.Groups[1].Value;

        string? normalized = null;
        Match m;
        if ((m = Classical().Match(v)).Success)
            normalized = m.Groups[1].Value + Part(m.Groups[2]) + Part(m.Groups[3]) + Part(m.Groups[4]);
        else if ((m = DateBased().Match(v)).Success)
            normalized = NonDigit().Replace(m.Groups[1].Value, ".");
        if (normalized is not null)
        {
            var stability = m.Groups["stability"];
            if (stability.Success && stability.Length > 0)
            {
                if (stability.Value.Equals("stable", StringComparison.OrdinalIgnoreCase)) return normalized;
                normalized += "-" + Expand(stability.Value) + m.Groups["number"].Value.TrimStart('.', '-');
            }
            if (m.Groups["dev"].Success && m.Groups["dev"].Length > 0) normalized += "-dev";
            return normalized;
        }

        if (DevSuffix().Match(v) is { Success: true } dev && NormalizeBranch(dev.Groups[1].Value) is { } branch) return branch;
        return null;
    }

    private static string Part(Group g) => g.Success && g.Length > 0 ? g.Value : ".0";

    private static string Expand(string stability) => stability.ToLowerInvariant() switch
    {
        "a" or "alpha" => "alpha",
        "b" or "beta" => "beta",
        "p" or "pl" or "patch" => "patch",
        "rc" => "RC",
        var other => other,
    };

    /// <summary>"1.x" → "1.9999999.9999999.9999999-dev"; null for names that are not numeric branches.</summary>
    private static string? NormalizeBranch(string name)
    {
        var m = NumericBranch().Match(name.Trim());
        if (!m.Success) return null;
        var version = "";
        for (var i = 1; i < 5; i++)
            version += m.Groups[i].Success && m.Groups[i].Length > 0 ? m.Groups[i].Value.Replace('*', 'x').Replace('X', 'x') : ".x";
        return version.Replace("x", "9999999", StringComparison.Ordinal) + "-dev";
    }

    private const string Modifier = @"[._-]?(?:(?<stability>stable|beta|b|RC|alpha|a|patch|pl|p)(?<number>(?:[.-]?\d+)*)?)?(?<dev>[.-]?dev)?";

    [GeneratedRegex(@"^([^,\s]+) +as +([^,\s]+)$")]
    private static partial Regex Alias();

    [GeneratedRegex(@"@(?:stable|RC|beta|alpha|dev)$", RegexOptions.IgnoreCase)]
    private static partial Regex StabilityFlag();

    [GeneratedRegex(@"^([^,\s+]+)\+[^\s]+$")]
    private static partial Regex BuildMetadata();

    [GeneratedRegex(@"^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?" + Modifier + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Classical();

    [GeneratedRegex(@"^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})" + Modifier + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateBased();

    [GeneratedRegex(@"\D")]
    private static partial Regex NonDigit();

    [GeneratedRegex(@"^(.*?)[.-]?dev$", RegexOptions.IgnoreCase)]
    private static partial Regex DevSuffix();

    [GeneratedRegex(@"^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$", RegexOptions.IgnoreCase)]
    private static partial Regex NumericBranch();
}
