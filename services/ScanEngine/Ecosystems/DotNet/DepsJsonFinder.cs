using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.DotNet;

/// <summary>
/// Finds the NuGet packages of .NET applications from their <c>*.deps.json</c> files (what the .NET host
/// loads at run time, so what Trivy and Syft read in images too). Each package is attributed to the layer
/// that provided the visible deps.json file; a broken file lists nothing rather than failing the scan.
/// </summary>
public sealed class DepsJsonFinder : IPackageFinder
{
    private const string Suffix = ".deps.json";

    public string Name => "dotnet-deps";
    public string Version => "1";

    /// <summary>"app/MyApp.deps.json": a file name ending in ".deps.json" with something before it.</summary>
    public bool Wants(string path) =>
        path.EndsWith(Suffix, StringComparison.Ordinal)
        && path.Length > Suffix.Length && path[^(Suffix.Length + 1)] != '/';

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var packages = new List<Package>();
        foreach (var file in files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            IReadOnlyList<DepsJsonLibrary> libraries;
            try
            {
                libraries = DepsJsonParser.Parse(file.Content);
            }
            catch (FormatException)
            {
                continue;
            }
            packages.AddRange(libraries.Select(l => new Package
            {
                Name = l.Name,
                Version = l.Version,
                Type = PackageType.NuGet.Id,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            }));
        }
        return packages;
    }
}
