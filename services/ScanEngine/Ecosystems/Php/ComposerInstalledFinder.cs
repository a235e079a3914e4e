using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Php;

/// <summary>
/// Finds PHP packages installed by Composer from each project's <c>vendor/composer/installed.json</c>.
/// Every package of a file is attributed to the layer that provided the visible file (Composer rewrites the
/// whole file on every install).
/// </summary>
public sealed class ComposerInstalledFinder : IPackageFinder
{
    private const string InstalledJson = "vendor/composer/installed.json";

    public string Name => "composer-installed";
    public string Version => "1";

    public bool Wants(string path) =>
        path.EndsWith(InstalledJson, StringComparison.Ordinal)
        && (path.Length == InstalledJson.Length || path[path.Length - InstalledJson.Length - 1] == '/');

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) yield break;
        foreach (var file in files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            foreach (var package in ComposerInstalledParser.Parse(file.Content))
                yield return new Package
                {
                    Name = package.Name,
                    Version = package.Version,
                    Type = PackageType.Composer.Id,
                    FilePath = file.Path,
                    LayerDigest = file.LayerDigest,
                };
        }
    }
}
