using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ruby;

/// <summary>
/// Finds installed gems from the specifications RubyGems keeps in <c>…/specifications/*.gemspec</c> (one per
/// installed gem, including default gems under <c>specifications/default/</c>). Each gem is attributed to the
/// layer that provided its visible specification file.
/// </summary>
public sealed class GemSpecificationFinder : IPackageFinder
{
    public string Name => "gemspec";
    public string Version => "1";

    public bool Wants(string path)
    {
        if (!path.EndsWith(".gemspec", StringComparison.Ordinal)) return false;
        var slash = path.LastIndexOf('/');
        if (slash < 0 || path.Length - slash - 1 <= ".gemspec".Length) return false;
        var parent = path.AsSpan(0, slash);
        if (parent.EndsWith("/default", StringComparison.Ordinal)) parent = parent[..^"/default".Length];
        return parent.EndsWith("/specifications", StringComparison.Ordinal) || parent.SequenceEqual("specifications");
    }

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) yield break;
        foreach (var file in files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (GemspecParser.Parse(file.Content, file.Path) is not { } gem) continue;
            yield return new Package
            {
                Name = gem.Name,
                Version = gem.Version,
                Type = PackageType.Gem.Id,
                Architecture = gem.Platform,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            };
        }
    }
}
