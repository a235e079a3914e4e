using ImageScanning.CveFeed.Feeds;
using ImageScanning.CveFeed.Feeds.Status;

namespace ImageScanning.CveFeed.Apis;

public static class FeedsApi
{
    public static RouteGroupBuilder MapFeedsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/feeds").WithTags("Feeds");
        group.MapGet("", List);
        group.MapPost("/{name}/refresh", Refresh);
        return api;
    }

    /// <summary>Every configured source (never run yet: only name and kind) and "upload" once something was uploaded.</summary>
    private static async Task<IResult> List(FeedSources sources, IFeedStatusStore statuses, CancellationToken ct)
    {
        var stored = (await statuses.ListAsync(ct)).ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        var configured = sources.All.Select(s => stored.GetValueOrDefault(s.Options.Name) ?? new FeedStatus { Name = s.Options.Name, Kind = s.Options.Kind });
        var uploads = stored.TryGetValue(FeedKinds.Upload, out var upload) ? [upload] : Array.Empty<FeedStatus>();
        return Results.Ok(new
        {
            sources = configured.Concat(uploads).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => View(s, sources.Find(s.Name)?.Options)),
        });
    }

    /// <summary>Runs the source now (waiting for a run in progress first) and answers its new status.</summary>
    private static async Task<IResult> Refresh(string name, FeedRunner runner, FeedSources sources, CancellationToken ct) =>
        await runner.RunAsync(name, ct) is { } status
            ? Results.Ok(View(status, sources.Find(name)?.Options))
            : Results.NotFound(new { message = $"No feed source named '{name}'." });

    // The URL is shown without its query (where a key could sit); the API key never.
    private static object View(FeedStatus s, FeedSourceOptions? o) => new
    {
        s.Name, s.Kind,
        location = o?.Path ?? (Uri.TryCreate(o?.Url, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Path) : null),
        interval = o?.Interval,
        s.LastAttempt, s.LastSuccess, s.LastOutcome, s.LastError, s.AdvisoryCount, s.LastChangeCount, s.LastRejectedCount,
        s.ETag, s.LastModified, s.Cursor,
    };
}
