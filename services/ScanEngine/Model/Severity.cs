namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// The engine's severity, in Inspector's terms (UNTRIAGED = the vendor has not scored it yet).
/// Ordered from least to most severe, with Untriaged first.
/// </summary>
public enum Severity
{
    Untriaged = 0,
    Informational = 1,
    Low = 2,
    Medium = 3,
    High = 4,
    Critical = 5,
}

public static class SeverityBands
{
    /// <summary>
    /// Inspector's CVSS v3 bands: 0 = Informational, 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High,
    /// 9.0–10 Critical. Scores are CVSS base scores (one decimal); anything in between is banded
    /// by the lower bound of the next band.
    /// </summary>
    public static Severity FromCvss3(double score)
    {
        if (double.IsNaN(score) || score < 0 || score > 10)
            throw new ArgumentOutOfRangeException(nameof(score), score, "A CVSS score is between 0 and 10.");
        return score switch
        {
            0 => Severity.Informational,
            < 4.0 => Severity.Low,
            < 7.0 => Severity.Medium,
            < 9.0 => Severity.High,
            _ => Severity.Critical,
        };
    }

    /// <summary>The upper-case wire name Inspector uses (INFORMATIONAL, ..., UNTRIAGED).</summary>
    public static string ToWireName(this Severity severity) => severity.ToString().ToUpperInvariant();
}
