using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rust;

/// <summary>
/// Finds Rust crates from Cargo.lock files, attributed to the layer that provided the visible file.
/// <para>
/// Every [[package]] is reported, as Trivy does (its cargo parser keeps every lock entry): registry crates,
/// git dependencies, and the path and workspace crates without a source (the application's own crates).
/// All are matched as crates.io crates; a workspace crate that reuses the name of a published crate with
/// advisories would match them, which Trivy accepts too (crates.io names are unique and rarely reused).
/// </para>
/// </summary>
public sealed class CargoLockFinder : IPackageFinder
{
    private const string FileName = "Cargo.lock";

    public string Name => "cargo-lock";
    public string Version => "1";

    public bool Wants(string path) =>
        path.EndsWith(FileName, StringComparison.Ordinal)
        && (path.Length == FileName.Length || path[^(FileName.Length + 1)] == '/');

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        return files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal)
            .SelectMany(file => CargoLockParser.Parse(file.Content).Select(crate => new Package
            {
                Name = crate.Name,
                Version = crate.Version,
                Type = PackageType.Cargo.Id,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            }))
            .ToList();
    }
}
