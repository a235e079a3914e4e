using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// OCI distribution spec 1.1 referrers: the API (GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;, an image index of descriptors with
/// artifactType), and the tag-schema fallback for registries without it (the index pushed at tag "&lt;alg&gt;-&lt;hex&gt;"). Every
/// descriptor is only a digest to fetch later from this same registry; none is followed anywhere else.
/// </summary>
internal sealed partial class RegistryClient
{
    /// <summary>Descriptors read from one referrers index; more are ignored (real images carry a handful).</summary>
    private const int MaxReferrers = 1_000;

    public async Task<ReferrerListing> ListReferrersAsync(string repository, string digest, CancellationToken ct)
    {
        RequireRepository(repository);
        Digests.RequireDigest(digest, $"referrers of {repository}");
        var what = $"referrers of {repository}@{digest}";
        using (var response = await SendScopedAsync($"repository:{repository}:pull", () =>
               {
                   var request = RegistryRequests.Get(new Uri(baseUri, $"v2/{repository}/referrers/{digest}"), baseUri);
                   request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciIndex));
                   return request;
               }, what, ct, notFoundIsAnswer: true))
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                var body = await ReadCappedAsync(response, options.MaxManifestBytes, what, ct);
                return new ReferrerListing(ParseReferrers(body, what), FromTagSchema: false);
            }
        }

        // No referrers API: the spec's fallback is an index tagged with the digest, ':' made '-'.
        var tag = digest.Replace(':', '-');
        ImageManifest index;
        try
        {
            index = await GetManifestAsync(repository, tag, ct);
        }
        catch (ScanException e) when (e.Kind == ScanFailureKind.ImageNotFound)
        {
            logger.LogDebug("Registry {Registry} has no referrers of {Repository}@{Digest}: no referrers API, no tag-schema index", registry.Name, repository, digest);
            return new ReferrerListing([], FromTagSchema: true);
        }
        if (!index.IsIndex)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The referrers tag {repository}:{tag} of registry '{registry.Name}' is a {index.MediaType}, not an image index.");
        return new ReferrerListing(ParseReferrers(index.Raw.ToArray(), $"referrers tag {repository}:{tag}"), FromTagSchema: true);
    }

    private List<Referrer> ParseReferrers(byte[] body, string what)
    {
        JsonDocument json;
        try
        {
            json = UntrustedJson.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"Registry '{registry.Name}' sent {what} that is not JSON.", e);
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
                throw new ScanException(ScanFailureKind.UnsupportedImage, $"Registry '{registry.Name}' sent {what} that is not an image index (no 'manifests' array).");
            var referrers = new List<Referrer>();
            foreach (var m in manifests.EnumerateArray().Take(MaxReferrers))
            {
                // A descriptor without a usable digest and size is skipped: one bad entry must not hide the others.
                if (m.ValueKind != JsonValueKind.Object || Text(m, "digest") is not { } d || !Digests.IsDigest(d)
                    || !m.TryGetProperty("size", out var s) || !s.TryGetInt64(out var size) || size < 0) continue;
                var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
                if (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
                    foreach (var p in a.EnumerateObject())
                        if (p.Value.ValueKind == JsonValueKind.String) annotations[p.Name] = p.Value.GetString()!;
                referrers.Add(new Referrer(Text(m, "mediaType") ?? "", d, size, Text(m, "artifactType"), annotations));
            }
            return referrers;
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
