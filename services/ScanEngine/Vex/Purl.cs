namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// A package URL parsed per the purl spec: "pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH", each part percent-decoded,
/// the type and qualifier keys lower-cased, and the names normalised where the spec says the type is case-insensitive
/// (pypi, also '_' → '-'; github, bitbucket, composer; oci).
/// </summary>
public sealed record Purl(string Type, string? Namespace, string Name, string? Version, IReadOnlyDictionary<string, string> Qualifiers, string? Subpath)
{
    private static readonly string[] CaseInsensitiveTypes = ["pypi", "github", "bitbucket", "composer", "oci"];

    /// <summary>The parsed purl, or null when <paramref name="text"/> is not one.</summary>
    public static Purl? TryParse(string? text)
    {
        if (text is null || !text.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = text[4..].TrimStart('/');
        string? subpath = null;
        if (rest.IndexOf('#') is >= 0 and var hash) { subpath = Decode(rest[(hash + 1)..].Trim('/')); rest = rest[..hash]; }
        var qualifiers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rest.IndexOf('?') is >= 0 and var question)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                if (pair.IndexOf('=') is > 0 and var equals && equals < pair.Length - 1)
                    qualifiers[pair[..equals].ToLowerInvariant()] = Decode(pair[(equals + 1)..]);
            rest = rest[..question];
        }
        var slash = rest.IndexOf('/');
        if (slash <= 0) return null;
        var type = rest[..slash].ToLowerInvariant();
        var path = rest[(slash + 1)..].TrimEnd('/');
        string? version = null;
        if (path.LastIndexOf('@') is >= 0 and var at && at > path.LastIndexOf('/'))
        {
            version = Decode(path[(at + 1)..]);
            path = path[..at];
        }
        var lastSlash = path.LastIndexOf('/');
        var name = Decode(path[(lastSlash + 1)..]);
        var ns = lastSlash < 0 ? null : string.Join('/', path[..lastSlash].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Decode));
        if (name.Length == 0) return null;
        if (CaseInsensitiveTypes.Contains(type, StringComparer.Ordinal))
        {
            name = name.ToLowerInvariant();
            ns = ns?.ToLowerInvariant();
        }
        if (type == "pypi") name = name.Replace('_', '-');
        return new Purl(type, ns is { Length: 0 } ? null : ns, name, version is { Length: 0 } ? null : version, qualifiers, subpath is { Length: 0 } ? null : subpath);
    }

    /// <summary>
    /// Whether this purl (a statement's) names <paramref name="package"/> (a finding's): type, namespace and name equal, the
    /// version equal when this one has one (Go's leading "v" aside), each qualifier present on both equal, the subpath equal when
    /// both have one.
    /// </summary>
    public bool Covers(Purl package)
    {
        if (Type != package.Type || !SameNamespace(Namespace, package.Namespace) || Name != package.Name) return false;
        if (Version is not null && (package.Version is null || !SameVersion(Version, package.Version))) return false;
        foreach (var (key, value) in Qualifiers)
            if (package.Qualifiers.TryGetValue(key, out var other) && !string.Equals(value, other, StringComparison.Ordinal)) return false;
        return Subpath is null || package.Subpath is null || Subpath == package.Subpath;
    }

    /// <summary>
    /// Equal namespaces, and for rpm the engine's os-release ID "rhel" (<see cref="Model.PackageUrl"/> names the namespace by the
    /// distribution) as Red Hat's own "redhat" (the vendor, as the purl spec and Red Hat's VEX write it).
    /// </summary>
    private bool SameNamespace(string? a, string? b) =>
        a == b || (Type == "rpm" && a is "rhel" or "redhat" && b is "rhel" or "redhat");

    private bool SameVersion(string a, string b) =>
        a == b || (Type == "golang" && a.TrimStart('v') == b.TrimStart('v'));

    private static string Decode(string part) => Uri.UnescapeDataString(part);
}
