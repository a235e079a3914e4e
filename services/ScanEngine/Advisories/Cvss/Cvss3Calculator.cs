namespace ImageScanning.ScanEngine.Advisories.Cvss;

/// <summary>The base metrics of a CVSS v3.0 or v3.1 vector.</summary>
public sealed record Cvss3Vector(
    string Version,
    char AttackVector,
    char AttackComplexity,
    char PrivilegesRequired,
    char UserInteraction,
    char Scope,
    char Confidentiality,
    char Integrity,
    char Availability,
    string Text);

/// <summary>A computed CVSS v3 base score with the vector it came from.</summary>
public sealed record Cvss3Score(double BaseScore, string Vector, string Version);

/// <summary>
/// CVSS v3.0/v3.1 base score from a vector string, with the formula and the Roundup function of the
/// CVSS v3.1 specification (section 7.1 and Appendix A). v3.1's Roundup is the floating-point-safe
/// form of v3.0's "smallest number, to one decimal place, that is equal to or higher than its input";
/// the base equations are the same in both versions. Temporal and environmental metrics in the
/// vector are accepted and ignored.
/// </summary>
public static class Cvss3Calculator
{
    private static readonly string[] BaseMetrics = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];

    private static readonly Dictionary<string, string> AllowedValues = new(StringComparer.Ordinal)
    {
        ["AV"] = "NALP", ["AC"] = "LH", ["PR"] = "NLH", ["UI"] = "NR", ["S"] = "UC",
        ["C"] = "HLN", ["I"] = "HLN", ["A"] = "HLN",
        // Temporal and environmental metrics: accepted, not used for the base score.
        ["E"] = "XUPFH", ["RL"] = "XOTWU", ["RC"] = "XURC",
        ["CR"] = "XLMH", ["IR"] = "XLMH", ["AR"] = "XLMH",
        ["MAV"] = "XNALP", ["MAC"] = "XLH", ["MPR"] = "XNLH", ["MUI"] = "XNR", ["MS"] = "XUC",
        ["MC"] = "XHLN", ["MI"] = "XHLN", ["MA"] = "XHLN",
    };

    /// <summary>The base score of a vector; throws <see cref="FormatException"/> on an invalid vector.</summary>
    public static double BaseScore(string vector) =>
        TryParse(vector, out var parsed, out var error) ? BaseScore(parsed) : throw new FormatException(error);

    public static bool TryBaseScore(string? vector, out Cvss3Score? score)
    {
        score = null;
        if (!TryParse(vector, out var parsed, out _)) return false;
        score = new Cvss3Score(BaseScore(parsed), parsed.Text, parsed.Version);
        return true;
    }

    public static double BaseScore(Cvss3Vector v)
    {
        var changed = v.Scope == 'C';
        var iss = 1 - (1 - Cia(v.Confidentiality)) * (1 - Cia(v.Integrity)) * (1 - Cia(v.Availability));
        var impact = changed
            ? 7.52 * (iss - 0.029) - 3.25 * Math.Pow(iss - 0.02, 15)
            : 6.42 * iss;
        var exploitability = 8.22 * Av(v.AttackVector) * Ac(v.AttackComplexity)
                             * Pr(v.PrivilegesRequired, changed) * Ui(v.UserInteraction);
        if (impact <= 0) return 0;
        return changed
            ? Roundup(Math.Min(1.08 * (impact + exploitability), 10))
            : Roundup(Math.Min(impact + exploitability, 10));
    }

    /// <summary>CVSS v3.1 Appendix A: round up to one decimal, robust against floating-point error.</summary>
    public static double Roundup(double value)
    {
        var intInput = (long)Math.Round(value * 100000, MidpointRounding.AwayFromZero);
        return intInput % 10000 == 0 ? intInput / 100000.0 : (Math.Floor(intInput / 10000.0) + 1) / 10.0;
    }

    public static bool TryParse(string? vector, out Cvss3Vector parsed, out string error)
    {
        parsed = null!;
        if (string.IsNullOrWhiteSpace(vector)) { error = "empty CVSS vector"; return false; }
        var text = vector.Trim();
        var parts = text.Split('/');
        string version;
        if (parts[0] == "CVSS:3.1") version = "3.1";
        else if (parts[0] == "CVSS:3.0") version = "3.0";
        else { error = $"not a CVSS v3 vector (prefix \"{parts[0]}\"): {text}"; return false; }

        var metrics = new Dictionary<string, char>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon != part.Length - 2) { error = $"malformed metric \"{part}\" in {text}"; return false; }
            var name = part[..colon];
            var value = part[^1];
            if (!AllowedValues.TryGetValue(name, out var allowed)) { error = $"unknown metric \"{name}\" in {text}"; return false; }
            if (!allowed.Contains(value, StringComparison.Ordinal)) { error = $"invalid value \"{part}\" in {text}"; return false; }
            if (!metrics.TryAdd(name, value)) { error = $"metric \"{name}\" repeated in {text}"; return false; }
        }
        var missing = BaseMetrics.Where(m => !metrics.ContainsKey(m)).ToList();
        if (missing.Count > 0) { error = $"base metric(s) {string.Join(", ", missing)} missing in {text}"; return false; }

        parsed = new Cvss3Vector(version, metrics["AV"], metrics["AC"], metrics["PR"], metrics["UI"], metrics["S"],
            metrics["C"], metrics["I"], metrics["A"], text);
        error = "";
        return true;
    }

    private static double Av(char value) => value switch { 'N' => 0.85, 'A' => 0.62, 'L' => 0.55, _ => 0.2 };
    private static double Ac(char value) => value == 'L' ? 0.77 : 0.44;
    private static double Ui(char value) => value == 'N' ? 0.85 : 0.62;
    private static double Cia(char value) => value switch { 'H' => 0.56, 'L' => 0.22, _ => 0 };

    private static double Pr(char value, bool scopeChanged) => value switch
    {
        'N' => 0.85,
        'L' => scopeChanged ? 0.68 : 0.62,
        _ => scopeChanged ? 0.5 : 0.27,
    };
}
