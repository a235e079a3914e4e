using System.Net;
using ImageScanning.Outbound;

namespace ImageScanning.ScanEngine.Images;

/// <summary>Requests of one registry's client: each carries the registry's host, the one host its connections may reach at any address.</summary>
internal static class RegistryRequests
{
    public static HttpRequestMessage Get(Uri uri, Uri registryBase)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Options.Set(TrustedHostRoutingHandler.TrustedHostKey, registryBase.IdnHost);
        return request;
    }

    /// <summary>The registry's own origin (scheme, host, port): the only one its Authorization header is sent to.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    public static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
