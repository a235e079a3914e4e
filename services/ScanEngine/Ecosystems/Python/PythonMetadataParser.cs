using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Python;

/// <summary>Name and version of an installed Python distribution.</summary>
public readonly record struct PythonDistribution(string Name, string Version);

/// <summary>
/// Reads the RFC 822 header block of core metadata (a dist-info METADATA or an egg-info PKG-INFO): the first
/// <c>Name:</c> and <c>Version:</c> fields before the blank line that starts the description.
/// </summary>
public static class PythonMetadataParser
{
    /// <summary>The distribution, or null when the metadata lacks a name or a version.</summary>
    public static PythonDistribution? Parse(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        string? name = null, version = null;
        using var reader = new StringReader(Encoding.UTF8.GetString(content));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) break; // end of headers: the body is the long description
            if (line[0] is ' ' or '\t') continue; // continuation of a folded field
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var field = line.AsSpan(0, colon).Trim();
            var value = line[(colon + 1)..].Trim();
            if (name is null && field.Equals("Name", StringComparison.OrdinalIgnoreCase)) name = value;
            else if (version is null && field.Equals("Version", StringComparison.OrdinalIgnoreCase)) version = value;
            if (name is not null && version is not null) break;
        }
        return string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version) ? null : new PythonDistribution(name, version);
    }
}
