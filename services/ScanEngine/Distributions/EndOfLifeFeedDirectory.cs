using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>
/// A configured directory of endoflife.date API files (<c>debian.json</c>, <c>alpine-linux.json</c>, …, named by the products of
/// <see cref="IEcosystem.EndOfLifeProducts"/>) read on top of the code's table. It is read again when its files change (names, sizes or
/// times), checked at each <see cref="Current"/>, so an operator's cron job that drops new files there needs no restart. A file that does
/// not parse is left out (the code's rows stand) and named in <see cref="Problems"/>. No directory: the code's table alone.
/// </summary>
public sealed class EndOfLifeFeedDirectory
{
    private readonly string? _directory;
    private readonly IReadOnlyList<IEcosystem> _ecosystems;
    private readonly Dictionary<string, EndOfLifeProduct> _products;
    private readonly Lock _gate = new();
    private string _fingerprint = "";
    private DistributionSupport _current;

    public EndOfLifeFeedDirectory(string? directory, IEnumerable<IEcosystem>? ecosystems = null)
    {
        _directory = string.IsNullOrWhiteSpace(directory) ? null : directory;
        _ecosystems = (ecosystems ?? EcosystemCatalog.All()).ToList();
        _products = _ecosystems.SelectMany(e => e.EndOfLifeProducts)
            .DistinctBy(p => p.Product, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(p => p.Product, StringComparer.OrdinalIgnoreCase);
        _current = DistributionSupport.FromEcosystems(_ecosystems);
    }

    /// <summary>The files of the last read that were left out, and why.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>The code's table with the directory's files on top, as they are now.</summary>
    public DistributionSupport Current
    {
        get
        {
            if (_directory is null) return _current;
            var files = FeedFiles();
            var fingerprint = string.Join('|', files.Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"));
            lock (_gate)
            {
                if (fingerprint != _fingerprint) Read(files, fingerprint);
                return _current;
            }
        }
    }

    private List<FileInfo> FeedFiles()
    {
        var directory = new DirectoryInfo(_directory!);
        if (!directory.Exists) return [];
        return directory.EnumerateFiles("*.json")
            .Where(f => _products.ContainsKey(Path.GetFileNameWithoutExtension(f.Name)))
            .OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    private void Read(IReadOnlyList<FileInfo> files, string fingerprint)
    {
        var feed = new List<DistributionRelease>();
        var problems = new List<string>();
        foreach (var file in files)
        {
            try
            {
                feed.AddRange(EndOfLifeFeed.Parse(_products[Path.GetFileNameWithoutExtension(file.Name)], File.ReadAllText(file.FullName)));
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{file.FullName}: {e.Message}");
            }
        }
        _current = DistributionSupport.FromEcosystems(_ecosystems, feed);
        Problems = problems;
        _fingerprint = fingerprint;
    }
}
