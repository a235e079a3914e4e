using System.Text;
using System.Text.Json;
using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Data;

/// <summary>An image in the ScanRouter's catalog, keyed by (Registry, Repository, Digest).</summary>
/// <param name="PushedAt">The first push seen for this digest; later pushes (new tags) keep it.</param>
/// <param name="LastBasicScanAt">The last basic scan counted toward the 24-h quota; written by <see cref="IImageCatalogStore.TryReserveBasicScanAsync"/>.</param>
/// <param name="ScanStatusAt">When <see cref="ScanStatus"/> was set; an older status update never overwrites a newer one.</param>
/// <param name="CurrentScan">The last scan sent to a scanner for this image (<see cref="LastScanId"/>): what, how often, when last.</param>
/// <param name="OsEndOfLife">The end of life of the OS release its last completed scan found (docs/eol.md), for coverage; null when
/// unknown, rolling or not scanned.</param>
/// <remarks>Times are stored with millisecond precision and read back in UTC.</remarks>
public sealed record ImageRecord(
    string Registry,
    string Repository,
    string Digest,
    IReadOnlyList<string> Tags,
    string MediaType,
    DateTimeOffset PushedAt,
    DateTimeOffset? LastPulledAt,
    ScanStatus? ScanStatus,
    string? ScanStatusDescription,
    Guid? LastScanId,
    DateTimeOffset? LastBasicScanAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ScanStatusAt = null,
    ScanDispatch? CurrentScan = null,
    DateOnly? OsEndOfLife = null);

/// <summary>
/// The scan an image waits for, as sent: its type and trigger (which scanner queue), how many times it was sent (the first send
/// and the stuck-scan sweeper's re-sends, all with the same scan id) and when last. The sweeper's clock runs from
/// <see cref="DispatchedAt"/>, never from the status time, so a re-send cannot make the scan's own late result look older than it.
/// </summary>
public sealed record ScanDispatch(ScanType ScanType, ScanTrigger Trigger, int Dispatches, DateTimeOffset DispatchedAt);

/// <summary>Status descriptions the router writes.</summary>
public static class ScanStatusDescriptions
{
    public const string InProgress = "The scan is in progress.";
    public const string Complete = "The scan was completed successfully.";
}

/// <summary>A page request: at most <paramref name="MaxResults"/> (1–1000) images after <paramref name="NextToken"/>.</summary>
public sealed record ImagePageRequest(int MaxResults = 100, string? NextToken = null)
{
    public const int MaxPageSize = 1000;

    internal void Validate()
    {
        if (MaxResults is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(MaxResults), MaxResults, $"MaxResults must be between 1 and {MaxPageSize}.");
        if (NextToken is not null && !ImagePageToken.TryDecode(NextToken, out _, out _))
            throw new ArgumentException("Invalid NextToken.", nameof(NextToken));
    }
}

/// <summary>One page of images ordered by (Repository, Digest), ordinal; <see cref="NextToken"/> is null on the last page.</summary>
public sealed record ImagePage(IReadOnlyList<ImageRecord> Images, string? NextToken);

/// <summary>An opaque keyset token: the (repository, digest) of the last image on the previous page.</summary>
public static class ImagePageToken
{
    public static string Encode(string repository, string digest)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new[] { repository, digest });
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Whether a client's token is one we issued; use it to answer InvalidParameterException before querying.</summary>
    public static bool IsValid(string token) => TryDecode(token, out _, out _);

    public static bool TryDecode(string token, out string repository, out string digest)
    {
        repository = digest = "";
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return false;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - base64.Length % 4) % 4), '=');
            var parts = JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
            if (parts is not [{ } r, { } d]) return false;
            repository = r;
            digest = d;
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>The catalog's merge rule for a re-reported image, shared by the stores.</summary>
internal static class ImageMerge
{
    /// <summary>
    /// Tags: union, existing order first. MediaType and UpdatedAt: the incoming ones. PushedAt: the earliest.
    /// LastPulledAt, LastBasicScanAt: the latest. Scan status fields: the incoming ones when it carries a status
    /// (LastScanId and CurrentScan when it carries them), else the existing ones.
    /// </summary>
    public static ImageRecord Merge(ImageRecord? existing, ImageRecord incoming)
    {
        DateTimeOffset? statusAt = incoming.ScanStatus is null ? null : incoming.ScanStatusAt ?? incoming.UpdatedAt;
        if (existing is null)
            return incoming with { Tags = Distinct(incoming.Tags), ScanStatusAt = statusAt };

        var takeStatus = incoming.ScanStatus is not null;
        return existing with
        {
            Tags = Distinct([.. existing.Tags, .. incoming.Tags]),
            MediaType = incoming.MediaType,
            PushedAt = Min(existing.PushedAt, incoming.PushedAt),
            LastPulledAt = Max(existing.LastPulledAt, incoming.LastPulledAt),
            ScanStatus = takeStatus ? incoming.ScanStatus : existing.ScanStatus,
            ScanStatusDescription = takeStatus ? incoming.ScanStatusDescription : existing.ScanStatusDescription,
            ScanStatusAt = takeStatus ? statusAt : existing.ScanStatusAt,
            LastScanId = incoming.LastScanId ?? existing.LastScanId,
            LastBasicScanAt = Max(existing.LastBasicScanAt, incoming.LastBasicScanAt),
            UpdatedAt = incoming.UpdatedAt,
            CurrentScan = incoming.CurrentScan ?? existing.CurrentScan,
            OsEndOfLife = incoming.OsEndOfLife ?? existing.OsEndOfLife,
        };
    }

    private static List<string> Distinct(IEnumerable<string> tags) =>
        tags.Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal).ToList();

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a >= b ? a : b;
}
