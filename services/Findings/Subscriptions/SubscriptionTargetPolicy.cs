using ImageScanning.Outbound;

namespace ImageScanning.Findings.Subscriptions;

/// <summary>
/// Where a subscription may send events, checked when it is created or updated: https (unless Subscriptions:AllowHttp), and a
/// host the Outbound address policy lets through. Delivery checks the address again at connect time, so a name that resolves
/// elsewhere later is refused then.
/// </summary>
public sealed class SubscriptionTargetPolicy(SubscriptionOptions options, OutboundAddressPolicy addresses)
{
    /// <summary>Null when acceptable, otherwise a message the API returns as is.</summary>
    public async Task<string?> CheckAsync(string targetUrl, CancellationToken ct)
    {
        var url = new Uri(targetUrl); // SubscriptionValidation has made sure it is absolute http(s)
        if (url.Scheme != Uri.UriSchemeHttps && !options.AllowHttp)
            return $"targetUrl must be https:// (Subscriptions:AllowHttp is off); got '{url.GetLeftPart(UriPartial.Authority)}'.";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            return await addresses.CheckHostAsync(url.IdnHost, timeout.Token) is { } refusal ? $"targetUrl refused: {refusal}." : null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null; // a slow resolver must not block the API; delivery checks the address it connects to
        }
    }

    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
}
