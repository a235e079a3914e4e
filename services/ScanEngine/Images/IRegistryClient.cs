namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// An OCI distribution API client for one configured registry. Every failure is a
/// <see cref="Model.ScanException"/> whose kind says what went wrong.
/// </summary>
public interface IRegistryClient
{
    /// <summary>The configured name of the registry this client talks to.</summary>
    string RegistryName { get; }

    /// <summary>
    /// Fetches a manifest by tag or digest. When <paramref name="reference"/> is a digest the bytes
    /// are verified against it. An index comes back with <see cref="ImageManifest.IsIndex"/> set.
    /// </summary>
    Task<ImageManifest> GetManifestAsync(string repository, string reference, CancellationToken ct);

    /// <summary>
    /// Opens a blob as a stream, read from the network as it is consumed. The digest is checked
    /// when the stream reaches its end; a mismatch throws DigestMismatch from that read.
    /// </summary>
    Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken ct);

    /// <summary>As <see cref="OpenBlobAsync(string,string,CancellationToken)"/>, also failing as soon as more than <paramref name="expectedSize"/> bytes arrive.</summary>
    Task<Stream> OpenBlobAsync(string repository, string digest, long expectedSize, CancellationToken ct);

    /// <summary>Reads a small blob (an image config) whole and verifies its digest.</summary>
    Task<byte[]> GetBlobAsync(string repository, string digest, long maxBytes, CancellationToken ct);

    /// <summary>One page of the registry's catalog (GET /v2/_catalog?n=&amp;last=), after <paramref name="last"/>.</summary>
    Task<RegistryPage> ListRepositoriesAsync(string? last, int pageSize, CancellationToken ct);

    /// <summary>
    /// The OCI 1.1 referrers of a manifest: GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;, or, when the registry answers 404 to
    /// that (it has no referrers API), the index at the tag-schema fallback tag "sha256-&lt;hex&gt;". Empty when neither exists.
    /// </summary>
    Task<ReferrerListing> ListReferrersAsync(string repository, string digest, CancellationToken ct);

    /// <summary>One page of a repository's tags (GET /v2/&lt;name&gt;/tags/list?n=&amp;last=), after <paramref name="last"/>.</summary>
    Task<RegistryPage> ListTagsAsync(string repository, string? last, int pageSize, CancellationToken ct);
}

/// <summary>Names of one page of a listing, and the <c>last</c> to ask the next page with (null: this was the last page).</summary>
public sealed record RegistryPage(IReadOnlyList<string> Names, string? Next);

/// <summary>Hands out clients for configured registries only.</summary>
public interface IRegistryClientFactory
{
    /// <summary>The names of the configured registries.</summary>
    IReadOnlyCollection<string> RegistryNames { get; }

    /// <summary>The client of a configured registry; RegistryNotConfigured for any other name.</summary>
    IRegistryClient For(string registryName);
}
