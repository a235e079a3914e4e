namespace ImageScanning.ScanEngine.Model;

/// <summary>Package URLs (purl spec) for packages the engine finds.</summary>
public static class PackageUrl
{
    public static string For(Package package, Distribution? distribution)
    {
        var (ns, name) = package.Type switch
        {
            "deb" or "apk" or "rpm" => (distribution?.Id, package.Name),
            "maven" when package.Name.Contains(':') => (package.Name[..package.Name.IndexOf(':')], package.Name[(package.Name.IndexOf(':') + 1)..]),
            "npm" or "composer" or "golang" when package.Name.Contains('/') => (package.Name[..package.Name.LastIndexOf('/')], package.Name[(package.Name.LastIndexOf('/') + 1)..]),
            "pypi" => (null, package.Name.ToLowerInvariant().Replace('_', '-')),
            _ => ((string?)null, package.Name),
        };
        var purl = "pkg:" + package.Type + "/" + (ns is null ? "" : Escape(ns, keepSlash: true) + "/") + Escape(name, keepSlash: false) + "@" + Escape(package.Version, keepSlash: false);
        var qualifiers = new List<string>();
        if (package.Architecture is { Length: > 0 } arch) qualifiers.Add("arch=" + Escape(arch, false));
        if (package.Type is "deb" or "apk" or "rpm" && distribution is not null) qualifiers.Add("distro=" + Escape($"{distribution.Id}-{distribution.VersionId}", false));
        return qualifiers.Count == 0 ? purl : purl + "?" + string.Join('&', qualifiers);
    }

    private static string Escape(string text, bool keepSlash)
    {
        var escaped = Uri.EscapeDataString(text);
        return keepSlash ? escaped.Replace("%2F", "/", StringComparison.Ordinal) : escaped;
    }
}
