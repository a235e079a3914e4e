using System.Text.Json;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>What one tool's JSON report says: how many packages it listed and which (vulnerability, package) pairs it found.</summary>
public sealed record ScanOutput(int Packages, IReadOnlySet<string> Findings)
{
    /// <summary><c>imagescan --format json</c> (docs/imagescan-json.md).</summary>
    public static ScanOutput FromImagescan(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = json.RootElement;
        var findings = root.GetProperty("findings").EnumerateArray()
            .Select(f => Pair(f.GetProperty("vulnerabilityId").GetString(), f.GetProperty("package").GetProperty("name").GetString()));
        return new ScanOutput(root.GetProperty("packages").GetArrayLength(), findings.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary><c>trivy image --format json --list-all-pkgs</c>: Results[].Packages and Results[].Vulnerabilities.</summary>
    public static ScanOutput FromTrivy(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var packages = 0;
        var findings = new HashSet<string>(StringComparer.Ordinal);
        if (json.RootElement.TryGetProperty("Results", out var results))
            foreach (var result in results.EnumerateArray())
            {
                if (result.TryGetProperty("Packages", out var list)) packages += list.GetArrayLength();
                if (!result.TryGetProperty("Vulnerabilities", out var vulnerabilities)) continue;
                foreach (var v in vulnerabilities.EnumerateArray())
                    findings.Add(Pair(v.GetProperty("VulnerabilityID").GetString(), v.GetProperty("PkgName").GetString()));
            }
        return new ScanOutput(packages, findings);
    }

    // Python names differ in case and separators between the tools' reports (Flask / flask); the pair is what both found.
    private static string Pair(string? id, string? package) => $"{id} {package?.ToLowerInvariant().Replace('_', '-')}";
}
