using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>
/// Finds the operating system of an image from os-release(5): <c>etc/os-release</c> (often a symlink to
/// <c>../usr/lib/os-release</c>), else <c>usr/lib/os-release</c>. Debian testing/sid has no VERSION_ID;
/// then the major version comes from <c>etc/debian_version</c> when that is numeric.
/// </summary>
public static class DistributionDetector
{
    public const string EtcOsRelease = "etc/os-release";
    public const string UsrLibOsRelease = "usr/lib/os-release";
    public const string DebianVersion = "etc/debian_version";

    /// <summary>Whether the layer reader should keep this file for distribution detection.</summary>
    public static bool Wants(string path) => path is EtcOsRelease or UsrLibOsRelease or DebianVersion;

    /// <summary>The distribution of the files visible in <paramref name="view"/>, or null without os-release.</summary>
    public static Distribution? Detect(FileView view)
    {
        if (!view.TryGet(EtcOsRelease, out var file) && !view.TryGet(UsrLibOsRelease, out file))
            return null;

        var fields = OsRelease.Parse(file.Content);
        var id = Get(fields, "ID")?.ToLowerInvariant() ?? "linux"; // os-release(5): ID defaults to "linux"
        var versionId = Get(fields, "VERSION_ID");
        if (versionId is null && id == "debian" && view.TryGet(DebianVersion, out var debianVersion))
            versionId = MajorFromDebianVersion(Encoding.UTF8.GetString(debianVersion.Content));

        var codename = Get(fields, "VERSION_CODENAME") ?? Get(fields, "UBUNTU_CODENAME")
            ?? CodenameFromVersion(Get(fields, "VERSION"));
        return new Distribution(id, versionId ?? "", codename, Get(fields, "PRETTY_NAME"));
    }

    /// <summary>"12.5" gives "12", "6.0.10" gives "6"; "trixie/sid" and other non-numeric text give null.</summary>
    public static string? MajorFromDebianVersion(string text)
    {
        var line = text.Trim().Split('\n', 2)[0].Trim();
        if (line.Length == 0 || !char.IsAsciiDigit(line[0])) return null;
        foreach (var c in line)
            if (!char.IsAsciiDigit(c) && c != '.') return null;
        var major = line.Split('.')[0].TrimStart('0');
        return major.Length == 0 ? "0" : major;
    }

    private static string? Get(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>Old Debian (8 and before) only says VERSION="8 (jessie)".</summary>
    private static string? CodenameFromVersion(string? version)
    {
        if (version is null) return null;
        var open = version.IndexOf('(');
        var close = version.IndexOf(')', open + 1);
        if (open < 0 || close < 0) return null;
        var inner = version[(open + 1)..close].Trim();
        return inner.Length > 0 && inner.All(char.IsAsciiLetterLower) ? inner : null;
    }
}
