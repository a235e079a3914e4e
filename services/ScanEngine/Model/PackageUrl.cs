namespace ImageScanning.ScanEngine.Model;

/// <summary>Package URLs (purl spec) for packages the engine finds.</summary>
public static class PackageUrl
{
    public static string For(Package package, Distribution? distribution)
    {
        var type = PackageType.Of(package.Type);
        var (ns, name) = NamespaceAndName(type?.Naming ?? PurlNaming.Plain, package.Name, distribution);
        var purl = "pkg:" + package.Type + "/" + (ns is null ? "" : Escape(ns, keepSlash: true) + "/") + Escape(name, keepSlash: false) + "@" + Escape(package.Version, keepSlash: false);
        var qualifiers = new List<string>();
        if (package.Architecture is { Length: > 0 } arch) qualifiers.Add("arch=" + Escape(arch, false));
        if (type?.Naming == PurlNaming.Distribution && distribution is not null) qualifiers.Add("distro=" + Escape($"{distribution.Id}-{distribution.VersionId}", false));
        return qualifiers.Count == 0 ? purl : purl + "?" + string.Join('&', qualifiers);
    }

    private static (string? Namespace, string Name) NamespaceAndName(PurlNaming naming, string name, Distribution? distribution) => naming switch
    {
        PurlNaming.Distribution => (distribution?.Id, name),
        PurlNaming.GroupColonArtifact when name.IndexOf(':') is > 0 and var colon => (name[..colon], name[(colon + 1)..]),
        PurlNaming.LastSlash when name.LastIndexOf('/') is > 0 and var slash => (name[..slash], name[(slash + 1)..]),
        PurlNaming.PythonLower => (null, name.ToLowerInvariant().Replace('_', '-')),
        _ => (null, name),
    };

    private static string Escape(string text, bool keepSlash)
    {
        var escaped = Uri.EscapeDataString(text);
        return keepSlash ? escaped.Replace("%2F", "/", StringComparison.Ordinal) : escaped;
    }
}
