using System.Diagnostics.Metrics;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.CveFeed;

/// <summary>Advisories imported per source and outcome.</summary>
public sealed class CveFeedMetrics
{
    private readonly Counter<long> _imported;

    public CveFeedMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.CveFeed");
        _imported = meter.CreateCounter<long>("imagescanning.cvefeed.advisories_imported", "{advisory}", "Advisory records imported, by source and outcome.");
    }

    public void Imported(string source, ImportResult result)
    {
        Add(source, "added", result.Added);
        Add(source, "changed", result.Changed);
        Add(source, "metadata_changed", result.MetadataChanged);
        Add(source, "unchanged", result.Unchanged);
        Add(source, "failed", result.Failed);
    }

    private void Add(string source, string outcome, int count) =>
        _imported.Add(count, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
}
