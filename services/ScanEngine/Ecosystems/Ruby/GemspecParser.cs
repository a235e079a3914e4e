using System.Text;
using System.Text.RegularExpressions;

namespace ImageScanning.ScanEngine.Ecosystems.Ruby;

/// <summary>Name, version and platform (null for "ruby") of an installed gem.</summary>
public readonly record struct InstalledGem(string Name, string Version, string? Platform);

/// <summary>
/// Reads the installed specification RubyGems writes to <c>specifications/NAME-VERSION[-PLATFORM].gemspec</c>
/// without running Ruby: the <c>x.name = "..."</c> and <c>x.version = "..."</c> assignments (with or without
/// <c>.freeze</c>, or as <c>Gem::Version.new("...")</c>), falling back to the file name for what is missing.
/// </summary>
public static partial class GemspecParser
{
    public static InstalledGem? Parse(byte[] content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);
        string? name = null, version = null;
        using var reader = new StringReader(Encoding.UTF8.GetString(content));
        while (reader.ReadLine() is { } line && (name is null || version is null))
        {
            if (line.Length > 4096) continue; // a long description line: never an assignment we need
            var m = Assignment().Match(line);
            if (!m.Success) continue;
            var value = m.Groups["value"].Value.Trim();
            if (value.Length == 0) continue;
            if (m.Groups["field"].Value == "name") name ??= value;
            else version ??= value;
        }
        var fromFile = FromFileName(fileName);
        name ??= fromFile?.Name;
        version ??= fromFile?.Version;
        if (name is null || version is null) return null;
        // The file name is the only place the platform is written plainly (s.platform may be an expression).
        var platform = fromFile is { } f && f.Name == name && f.Version == version ? f.Platform : null;
        return new InstalledGem(name, version, platform);
    }

    /// <summary>"nokogiri-1.13.4-x86_64-linux.gemspec" → (nokogiri, 1.13.4, x86_64-linux); null if not of that shape.</summary>
    public static InstalledGem? FromFileName(string fileName)
    {
        var stem = Path.GetFileName(fileName);
        if (stem.EndsWith(".gemspec", StringComparison.Ordinal)) stem = stem[..^".gemspec".Length];
        // The name ends at the first "-" followed by a digit (gem names may contain "-", versions never do).
        for (var i = 1; i + 1 < stem.Length; i++)
        {
            if (stem[i] != '-' || !char.IsAsciiDigit(stem[i + 1])) continue;
            var rest = stem[(i + 1)..];
            var dash = rest.IndexOf('-');
            return new InstalledGem(stem[..i], dash < 0 ? rest : rest[..dash], dash < 0 ? null : rest[(dash + 1)..]);
        }
        return null;
    }

    [GeneratedRegex("""^\s*[A-Za-z_][A-Za-z0-9_]*\.(?<field>name|version)\s*=\s*(?:Gem::Version\.new\(\s*)?(?<q>["'])(?<value>[^"'\\]*)\k<q>""", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();
}
