using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.CveFeed.Feeds.Sources;

internal static class FeedImportChecks
{
    /// <summary>A feed of which no record could be read is a failed run (its validators are not remembered), not an empty feed.</summary>
    public static void ThrowIfNothingReadable(ImportResult result)
    {
        if (result.Failed > 0 && result.Failed == result.Total)
            throw new FeedUnreadableException($"No record could be read: {result.Failures[0].Name}: {result.Failures[0].Reason}");
    }
}
