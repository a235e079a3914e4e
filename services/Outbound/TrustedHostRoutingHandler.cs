using System.Collections.Concurrent;

namespace ImageScanning.Outbound;

/// <summary>
/// The primary handler of a client shared by several trust domains (one per configured registry): each request names its
/// trusted host (<see cref="TrustedHostKey"/>) and goes through a connection pool of that host's own. Pools are keyed by
/// host and port only, so with one pool a connection opened for registry A's trusted host could carry registry B's
/// redirect to it without any connect-time check.
/// </summary>
public sealed class TrustedHostRoutingHandler(OutboundAddressPolicy policy, Action<SocketsHttpHandler> configure) : HttpMessageHandler
{
    public static readonly HttpRequestOptionsKey<string> TrustedHostKey = new("ImageScanning.Outbound.TrustedHost");

    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _pools = new(StringComparer.OrdinalIgnoreCase);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var trusted = request.Options.TryGetValue(TrustedHostKey, out var host) ? host : "";
        var pool = _pools.GetOrAdd(trusted, key =>
        {
            var handler = OutboundConnector.CreateHandler(policy, key.Length == 0 ? null : key);
            configure(handler);
            return new HttpMessageInvoker(handler, disposeHandler: true);
        });
        return pool.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var pool in _pools.Values) pool.Dispose();
        base.Dispose(disposing);
    }
}
