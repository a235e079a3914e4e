using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Python;

/// <summary>
/// Finds installed Python distributions: <c>NAME-VER.dist-info/METADATA</c> (wheels, pip), and
/// <c>NAME-VER.egg-info/PKG-INFO</c> or a <c>NAME-VER.egg-info</c> file (setuptools, distro packages) directly
/// inside a <c>site-packages</c> or <c>dist-packages</c> directory. Source trees' egg-info elsewhere are not
/// installed packages and are ignored. Each package is attributed to the layer that provided its visible file.
/// </summary>
public sealed class PythonPackageFinder : IPackageFinder
{
    public string Name => "python-dist";
    public string Version => "1";

    public bool Wants(string path)
    {
        // Cheap suffix checks first: this runs on every file of every layer.
        if (path.EndsWith("/METADATA", StringComparison.Ordinal))
            return InPackagesDirectory(path, path.Length - "/METADATA".Length, ".dist-info");
        if (path.EndsWith("/PKG-INFO", StringComparison.Ordinal))
            return InPackagesDirectory(path, path.Length - "/PKG-INFO".Length, ".egg-info");
        if (path.EndsWith(".egg-info", StringComparison.Ordinal))
            return InPackagesDirectory(path, path.Length, ".egg-info");
        return false;
    }

    /// <summary>Whether path[..end] is "…/site-packages/X{suffix}" or "…/dist-packages/X{suffix}".</summary>
    private static bool InPackagesDirectory(string path, int end, string suffix)
    {
        var entry = path.AsSpan(0, end);
        if (!entry.EndsWith(suffix, StringComparison.Ordinal)) return false;
        var slash = entry.LastIndexOf('/');
        if (slash < 0 || end - slash - 1 <= suffix.Length) return false;
        var parent = entry[..slash];
        const int length = 13; // "site-packages" and "dist-packages"
        if (parent.Length < length || (parent.Length > length && parent[^(length + 1)] != '/')) return false;
        var last = parent[^length..];
        return last.SequenceEqual("site-packages") || last.SequenceEqual("dist-packages");
    }

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) yield break;
        foreach (var file in files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (PythonMetadataParser.Parse(file.Content) is not { } dist) continue;
            yield return new Package
            {
                Name = dist.Name,
                Version = dist.Version,
                Type = PackageType.PyPI.Id,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            };
        }
    }
}
