using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks.DpkgBaseline;

/// <summary>
/// BASELINE, not used by the engine: DpkgFinder's status-file path as of commit aa62677 (layer attribution through
/// the PackageDatabaseHistory of commit 0485b94, <see cref="BaselinePackageDatabaseHistory"/>, one Package per entry) over a given parser, so the memory tool can run the old parsers through the
/// same finder code as the engine's DpkgFinder.
/// </summary>
public static class BaselineDpkgFinder
{
    private static readonly string[] StatusPaths = [DpkgFinder.StatusPath];

    public static List<Package> Find(ImageFiles files, Func<byte[], IReadOnlyList<DpkgEntry>> parse) =>
        BaselinePackageDatabaseHistory.Attribute(
                files, StatusPaths,
                view => view.TryGet(DpkgFinder.StatusPath, out var status) ? status : null,
                status => parse(status.Content),
                entry => (entry.Name, entry.Architecture),
                entry => entry.Version)
            .Select(a => new Package
            {
                Name = a.Entry.Name,
                Version = a.Entry.Version,
                Type = "deb",
                SourceName = a.Entry.SourceName,
                SourceVersion = a.Entry.SourceVersion,
                Architecture = a.Entry.Architecture,
                FilePath = a.DatabasePath,
                LayerDigest = a.LayerDigest,
            })
            .ToList();
}
