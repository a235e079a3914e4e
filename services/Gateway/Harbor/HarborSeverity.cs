using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Harbor;

/// <summary>The spec's Severity scale from the platform's (ECR's) severities.</summary>
public static class HarborSeverity
{
    private static readonly string[] Scale = ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"];

    public static string Of(FindingSeverity severity) => Scale[Rank(severity)];

    /// <summary>INFORMATIONAL is Negligible; UNDEFINED (no rating) and UNTRIAGED (not rated yet) are Unknown.</summary>
    public static int Rank(FindingSeverity severity) => severity switch
    {
        FindingSeverity.CRITICAL => 5,
        FindingSeverity.HIGH => 4,
        FindingSeverity.MEDIUM => 3,
        FindingSeverity.LOW => 2,
        FindingSeverity.INFORMATIONAL => 1,
        _ => 0,
    };

    /// <summary>The report's severity: its most severe vulnerability's, Unknown when it has none (the scale's lowest).</summary>
    public static string Highest(IEnumerable<FindingSeverity> severities) => Scale[severities.Select(Rank).DefaultIfEmpty(0).Max()];
}
