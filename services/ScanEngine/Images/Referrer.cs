namespace ImageScanning.ScanEngine.Images;

/// <summary>One descriptor of a referrers index: a manifest whose subject is the image, and the kind of artifact it is.</summary>
public sealed record Referrer(string MediaType, string Digest, long Size, string? ArtifactType, IReadOnlyDictionary<string, string> Annotations);

/// <summary>The referrers of one manifest and how they were found.</summary>
/// <param name="FromTagSchema">True when the registry has no referrers API and the "sha256-&lt;hex&gt;" tag was read instead.</param>
public sealed record ReferrerListing(IReadOnlyList<Referrer> Referrers, bool FromTagSchema);
