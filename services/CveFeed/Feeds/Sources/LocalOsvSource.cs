using System.Globalization;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.CveFeed.Importing;

namespace ImageScanning.CveFeed.Feeds.Sources;

/// <summary>
/// osv-directory (every *.json below Path) and osv-zip (a zip file at Path). A zip file whose size and modification
/// time are those of the last success is not read again (its "ETag"); a directory is always re-read, which costs a
/// hash comparison per record and stores nothing when nothing changed.
/// </summary>
public sealed class LocalOsvSource(FeedSourceOptions options, AdvisoryImportService importer) : IFeedSource
{
    public FeedSourceOptions Options => options;

    public async Task<FeedRunResult> RunAsync(FeedStatus? previous, CancellationToken ct)
    {
        var path = options.Path ?? throw new InvalidOperationException($"Source {options.Name}: Path is required for {options.Kind}.");
        string? validator = null;
        if (options.Kind == FeedKinds.OsvZip)
        {
            var file = new FileInfo(path);
            if (!file.Exists) throw new FileNotFoundException($"No zip at {path}.");
            validator = string.Create(CultureInfo.InvariantCulture, $"{file.Length}-{file.LastWriteTimeUtc.Ticks}");
            if (previous?.LastSuccess is not null && previous.ETag == validator)
                return new FeedRunResult(true, null, null, validator, null, null);
        }
        else if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"No directory at {path}.");
        }

        var result = await importer.ImportPathAsync(path, options.Name, ct);
        FeedImportChecks.ThrowIfNothingReadable(result);
        return new FeedRunResult(false, result, result.Total - result.Failed, validator, null, null);
    }
}
