namespace ImageScanning.ScanEngine.Advisories.Cvss;

public static class CvssVersions
{
    /// <summary>"CVSS:3.1/AV:N/…" → "3.1", "CVSS:4.0/…" → "4.0"; a vector without the prefix is CVSS v2's form ("AV:N/AC:L/…").</summary>
    public static string? Of(string? vector) =>
        vector is null ? null
            : vector.StartsWith("CVSS:", StringComparison.Ordinal) && vector.IndexOf('/') is > 5 and var slash ? vector[5..slash] : "2.0";
}
