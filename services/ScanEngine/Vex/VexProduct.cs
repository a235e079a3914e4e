using ImageScanning.ScanEngine.Images;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>A statement's product or subcomponent as the matcher reads it: a purl, an image digest, a CPE, or only a name.</summary>
internal sealed record VexProduct(string Text, Purl? Purl, string? Digest, string? Cpe)
{
    public static VexProduct Of(string text)
    {
        var purl = Purl.TryParse(text);
        // "sha256:…", or an image reference pinned by digest ("registry/app@sha256:…").
        var at = text.LastIndexOf('@');
        var digest = purl is null && Digests.IsDigest(at >= 0 ? text[(at + 1)..] : text) ? (at >= 0 ? text[(at + 1)..] : text) : null;
        var cpe = text.StartsWith("cpe:", StringComparison.OrdinalIgnoreCase) ? text.ToLowerInvariant() : null;
        return new VexProduct(text, purl, digest, cpe);
    }

    public bool IsImagePurl => Purl?.Type == "oci";

    /// <summary>Whether this product names the finding's image.</summary>
    public bool NamesImage(VexFinding finding, string? subject)
    {
        if (Digest is not null) return finding.ImageDigests.Contains(Digest, StringComparer.Ordinal);
        if (Cpe is not null) return finding.Cpes.Any(c => CpeCovers(Cpe, c.ToLowerInvariant()));
        if (Purl is null) return subject is not null && finding.ImageDigests.Contains(subject, StringComparer.Ordinal);
        if (!IsImagePurl) return false;
        var repository = finding.Repository.ToLowerInvariant();
        if (Purl.Name != repository[(repository.LastIndexOf('/') + 1)..]) return false;
        if (Purl.Version is { } version && !finding.ImageDigests.Contains(version, StringComparer.Ordinal)) return false;
        return !Purl.Qualifiers.TryGetValue("repository_url", out var url) || SameRepository(url, finding);
    }

    /// <summary>"cpe:/o:redhat:enterprise_linux:8" covers itself and "cpe:/o:redhat:enterprise_linux:8::baseos" (component-wise prefix).</summary>
    private static bool CpeCovers(string statement, string image) =>
        image == statement || (image.StartsWith(statement, StringComparison.Ordinal) && image[statement.Length] == ':');

    /// <summary>An oci purl's repository_url ("index.docker.io/aquasec/trivy") against the image's registry host and repository.</summary>
    private static bool SameRepository(string url, VexFinding finding)
    {
        var text = url.ToLowerInvariant();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) text = text[(scheme + 3)..];
        text = text.TrimEnd('/');
        var slash = text.IndexOf('/');
        if (slash <= 0) return false;
        var (host, path) = (DockerHub(text[..slash]), text[(slash + 1)..]);
        var repository = finding.Repository.ToLowerInvariant();
        if (host == "docker.io" && !path.Contains('/')) path = "library/" + path;
        if (finding.RegistryHost is { } registry && DockerHub(registry.ToLowerInvariant()) == "docker.io" && !repository.Contains('/')) repository = "library/" + repository;
        return path == repository && (finding.RegistryHost is null || host == DockerHub(finding.RegistryHost.ToLowerInvariant()));
    }

    private static string DockerHub(string host) => host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;

    /// <summary>Whether this product or subcomponent names a package purl.</summary>
    public bool NamesPackage(Purl? package) => package is not null && Purl is { } purl && !IsImagePurl && purl.Covers(package);
}
