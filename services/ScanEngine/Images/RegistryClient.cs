using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImageScanning.Outbound;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace ImageScanning.ScanEngine.Images;

/// <summary>The OCI distribution API client of one configured registry.</summary>
internal sealed partial class RegistryClient(
    RegistryOptions registry,
    Uri baseUri,
    HttpClient http,
    RegistryAuthenticator auth,
    RegistryHttpOptions options,
    BlobThroughputOptions throughput,
    TimeProvider time,
    ILogger logger) : IRegistryClient
{
    public string RegistryName => registry.Name;

    public async Task<ImageManifest> GetManifestAsync(string repository, string reference, CancellationToken ct)
    {
        RequireRepository(repository);
        var byDigest = Digests.IsDigest(reference);
        if (!byDigest && !Digests.IsTag(reference))
            throw new ScanException(ScanFailureKind.ImageNotFound, $"'{Digests.Printable(reference)}' is neither a tag nor a digest (repository {repository}, registry '{registry.Name}').");
        var what = $"manifest {repository}{(byDigest ? "@" : ":")}{reference}";

        using var response = await SendAsync(repository, () =>
        {
            var request = RegistryRequests.Get(new Uri(baseUri, $"v2/{repository}/manifests/{reference}"), baseUri);
            foreach (var type in MediaTypes.AcceptedManifests) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, what, ct);

        var body = await ReadCappedAsync(response, options.MaxManifestBytes, what, ct);
        var computed = Digests.Compute(body, byDigest ? reference : "sha256:");
        if (byDigest && computed != reference)
            throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry '{registry.Name}' sent a {what} whose content has digest {computed}.");
        if (!byDigest
            && response.Headers.TryGetValues("Docker-Content-Digest", out var headerDigests)
            && headerDigests.FirstOrDefault() is { } claimed
            && claimed.StartsWith("sha256:", StringComparison.Ordinal) && claimed != computed)
            throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry '{registry.Name}' says {what} is {Digests.Printable(claimed)} but sent content with digest {computed}.");

        var manifest = ManifestParser.Parse(body, response.Content.Headers.ContentType?.MediaType, computed, what);
        logger.LogDebug("Fetched {What} from {Registry}: {MediaType} {Digest}", what, registry.Name, manifest.MediaType, manifest.Digest);
        return manifest;
    }

    public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken ct) => OpenBlobCoreAsync(repository, digest, null, ct);

    public Task<Stream> OpenBlobAsync(string repository, string digest, long expectedSize, CancellationToken ct) =>
        OpenBlobCoreAsync(repository, digest, expectedSize >= 0 ? expectedSize : null, ct);

    private async Task<Stream> OpenBlobCoreAsync(string repository, string digest, long? expectedSize, CancellationToken ct)
    {
        RequireRepository(repository);
        Digests.RequireDigest(digest, $"blob of {repository}");
        var what = $"blob {repository}@{digest}";
        var response = await SendAsync(repository, () => RegistryRequests.Get(new Uri(baseUri, $"v2/{repository}/blobs/{digest}"), baseUri), what, ct);
        try
        {
            var declared = response.Content.Headers.ContentLength;
            if (expectedSize is { } size && declared is { } length && length != size)
                throw new ScanException(ScanFailureKind.DigestMismatch, $"Registry '{registry.Name}' sends {what} with {length} bytes; the manifest says {size}.");
            var body = await response.Content.ReadAsStreamAsync(ct);
            var described = $"{what} from registry '{registry.Name}'";
            // Every blob (layers and configs) comes through here: the throughput guard sits on the network stream itself.
            if (throughput.IsEnabled) body = new MinimumThroughputStream(body, throughput, time, described);
            return new VerifyingBlobStream(body, response, digest, expectedSize, options.BlobReadIdleTimeout, described);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<byte[]> GetBlobAsync(string repository, string digest, long maxBytes, CancellationToken ct)
    {
        await using var stream = await OpenBlobCoreAsync(repository, digest, null, ct);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ScanException(ScanFailureKind.UnsupportedImage, $"Blob {repository}@{digest} is larger than {maxBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Sends a GET with the auth the registry wants (answering one 401 challenge), follows redirects (<see cref="FollowRedirectsAsync"/>)
    /// and maps failures.
    /// </summary>
    private Task<HttpResponseMessage> SendAsync(string repository, Func<HttpRequestMessage> create, string what, CancellationToken ct) =>
        SendScopedAsync($"repository:{repository}:pull", create, what, ct);

    /// <summary>
    /// <see cref="SendAsync"/> for a token scope of its own (the catalog's is registry:catalog:*). With <paramref name="notFoundIsAnswer"/>
    /// a 404 comes back as the response instead of a failure (the referrers API's "not supported here").
    /// </summary>
    private async Task<HttpResponseMessage> SendScopedAsync(string scope, Func<HttpRequestMessage> create, string what, CancellationToken ct, bool notFoundIsAnswer = false)
    {
        using var first = create();
        auth.Apply(first, scope);
        var response = await SendOnceAsync(first, what, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            bool retry;
            try
            {
                retry = await auth.OnUnauthorizedAsync(response, first, scope, http, ct);
            }
            finally
            {
                response.Dispose();
            }
            if (!retry)
                throw new ScanException(ScanFailureKind.AccessDenied, $"Registry '{registry.Name}' requires authentication for {what} and no usable credentials are configured.");
            using var second = create();
            auth.Apply(second, scope);
            response = await SendOnceAsync(second, what, ct);
        }

        response = await FollowRedirectsAsync(response, scope, what, ct);
        if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound)) return response;
        using (response)
            throw await FailureAsync(response, what, ct);
    }

    /// <summary>
    /// Follows up to MaxRedirects redirects by hand (the handler follows none): registries send blob GETs on to object storage.
    /// Only a hop back to the registry's own origin carries its Authorization; every other host gets a bare GET, and the
    /// connection to it passes the Outbound address policy. https never redirects down to http.
    /// </summary>
    private async Task<HttpResponseMessage> FollowRedirectsAsync(HttpResponseMessage response, string scope, string what, CancellationToken ct)
    {
        for (var hops = 0; RegistryRequests.IsRedirect(response.StatusCode); hops++)
        {
            var from = response.RequestMessage?.RequestUri ?? baseUri;
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null)
                throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Registry '{registry.Name}' redirected {what} without a Location.");
            var target = location.IsAbsoluteUri ? location : new Uri(from, location);
            if (hops >= options.MaxRedirects)
                throw new ScanException(ScanFailureKind.RegistryUnreachable,
                    $"Registry '{registry.Name}' redirected {what} more than {options.MaxRedirects} times (the last to {target.IdnHost}); "
                    + "the limit is Scanning:RegistryHttp:MaxRedirects.");
            if (target.Scheme != Uri.UriSchemeHttps && (target.Scheme != Uri.UriSchemeHttp || from.Scheme == Uri.UriSchemeHttps))
                throw new ScanException(ScanFailureKind.AccessDenied,
                    $"Registry '{registry.Name}' redirected {what} from {from.Scheme} to {target.Scheme}://{target.IdnHost}; only https (or http from an http registry) is followed.");
            using var request = RegistryRequests.Get(target, baseUri);
            if (RegistryRequests.SameOrigin(target, baseUri)) auth.Apply(request, scope);
            logger.LogDebug("Registry {Registry} redirected {What} to {Host}", registry.Name, what, target.IdnHost);
            response = await SendOnceAsync(request, what, ct);
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, string what, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (OutboundAddressRefusedException.Find(e) is { } refused)
        {
            var host = request.RequestUri!.IdnHost;
            throw new ScanException(ScanFailureKind.AccessDenied,
                $"Registry '{registry.Name}' redirected {what} to {host}, which was not contacted: {refused.Message}.", e);
        }
        catch (Exception e) when (IsTransportFailure(e, ct))
        {
            var reason = e is TimeoutRejectedException or TaskCanceledException ? "timed out" : e.Message;
            throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Registry '{registry.Name}' is unreachable fetching {what}: {reason}", e);
        }
    }

    private async Task<ScanException> FailureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var code = await ErrorCodeAsync(response, ct);
        var detail = code is null ? $"HTTP {status}" : $"HTTP {status} {code}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                new ScanException(ScanFailureKind.AccessDenied, $"Registry '{registry.Name}' denied access to {what} ({detail})."),
            HttpStatusCode.NotFound =>
                new ScanException(ScanFailureKind.ImageNotFound, $"Registry '{registry.Name}' has no {what} ({detail})."),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                new ScanException(ScanFailureKind.RegistryUnreachable, $"Registry '{registry.Name}' failed to serve {what} ({detail})."),
            _ when code is "NAME_UNKNOWN" or "NAME_INVALID" or "MANIFEST_UNKNOWN" or "BLOB_UNKNOWN" or "TAG_INVALID" or "DIGEST_INVALID" =>
                new ScanException(ScanFailureKind.ImageNotFound, $"Registry '{registry.Name}' has no {what} ({detail})."),
            _ => new ScanException(ScanFailureKind.InternalError, $"Registry '{registry.Name}' refused to serve {what} ({detail})."),
        };
    }

    /// <summary>The first error code of a distribution error body ({"errors":[{"code":...}]}), if any.</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await ReadCappedAsync(response, 16 * 1024, "error", ct);
            using var json = UntrustedJson.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0 && errors[0].ValueKind == JsonValueKind.Object
                && errors[0].TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
                return Digests.Printable(code.GetString()!);
        }
        catch (Exception e) when (e is JsonException or ScanException or IOException or HttpRequestException)
        {
        }
        return null;
    }

    private void RequireRepository(string repository)
    {
        if (!Digests.IsRepository(repository))
            throw new ScanException(ScanFailureKind.ImageNotFound, $"'{Digests.Printable(repository)}' is not a valid repository name (registry '{registry.Name}').");
    }

    /// <summary>Connection failures and timeouts, but not the caller's own cancellation.</summary>
    internal static bool IsTransportFailure(Exception e, CancellationToken ct) =>
        e is HttpRequestException or TimeoutRejectedException or IOException
        || (e is OperationCanceledException && !ct.IsCancellationRequested);

    /// <summary>Reads a whole response body, refusing more than <paramref name="maxBytes"/>.</summary>
    internal static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > maxBytes)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} is {declared} bytes, more than the {maxBytes} accepted.");
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                    throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} is more than the {maxBytes} bytes accepted.");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is not ScanException && IsTransportFailure(e, ct))
        {
            throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Reading the {what} failed: {e.Message}", e);
        }
    }
}
