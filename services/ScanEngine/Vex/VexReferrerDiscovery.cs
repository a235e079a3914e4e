using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>One VEX document found attached to an image.</summary>
/// <param name="ReferrerDigest">The digest of the referrer manifest that holds it.</param>
/// <param name="ArtifactType">The referrer's artifact type.</param>
public sealed record DiscoveredVex(VexDocument Document, string ReferrerDigest, string ArtifactType);

/// <summary>A referrer that looked like VEX but gave no document, and why.</summary>
public sealed record SkippedReferrer(string Digest, string? ArtifactType, string Reason);

/// <summary>What discovery found for one image.</summary>
/// <param name="FromTagSchema">True when the registry had no referrers API and the tag-schema index was read.</param>
public sealed record VexDiscoveryResult(IReadOnlyList<DiscoveredVex> Documents, IReadOnlyList<SkippedReferrer> Skipped, bool FromTagSchema);

/// <summary>
/// Finds the VEX documents attached to an image in its registry: lists the manifest's referrers
/// (<see cref="IRegistryClient.ListReferrersAsync"/>, with the tag-schema fallback), keeps those whose artifact type may hold
/// VEX (<see cref="VexArtifactTypes"/>), fetches each one's manifest and layers by digest through the same client (a
/// descriptor's <c>urls</c> are never followed), checks that the manifest's subject is the image, and reads the documents
/// with the image as their subject. Bounded by <see cref="VexLimits"/> and, when given, the image's <see cref="ImageBudget"/>
/// (the layers of each referrer, and the bytes kept). When the referrers hold no VEX, cosign v2's attestation tag
/// "sha256-&lt;hex&gt;.att" is read as well (its DSSE layers with a VEX predicate). A referrer that fails is skipped with its reason; only a failure to
/// list the referrers fails the discovery.
/// </summary>
public static class VexReferrerDiscovery
{
    public static async Task<VexDiscoveryResult> DiscoverAsync(
        IRegistryClient client, string repository, string imageDigest, VexLimits? limits = null, ImageBudget? budget = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        limits ??= VexLimits.Default;
        var listing = await client.ListReferrersAsync(repository, imageDigest, ct);
        var candidates = listing.Referrers
            .Where(r => VexArtifactTypes.MayHoldVex(r.ArtifactType, r.Annotations))
            .OrderByDescending(r => r.Annotations.GetValueOrDefault("org.opencontainers.image.created") ?? "", StringComparer.Ordinal)
            .ToList();
        var documents = new List<DiscoveredVex>();
        var skipped = candidates.Skip(limits.MaxReferrers)
            .Select(r => new SkippedReferrer(r.Digest, r.ArtifactType, $"more than {limits.MaxReferrers} VEX referrers (limit VexLimits.MaxReferrers)")).ToList();
        foreach (var referrer in candidates.Take(limits.MaxReferrers))
        {
            try
            {
                documents.AddRange(await ReadReferrerAsync(client, repository, imageDigest, referrer, limits, budget, skipped, ct));
            }
            catch (Exception e) when (e is ScanException or VexDocumentException)
            {
                skipped.Add(new SkippedReferrer(referrer.Digest, referrer.ArtifactType, e.Message));
            }
        }
        // cosign v2 attaches attestations at "sha256-<hex>.att" instead; read, as Trivy does, only when referrers gave no VEX.
        if (documents.Count == 0) documents.AddRange(await ReadCosignAttestationsAsync(client, repository, imageDigest, limits, budget, skipped, ct));
        return new VexDiscoveryResult(documents, skipped, listing.FromTagSchema);
    }

    /// <summary>
    /// The legacy cosign layout: an image manifest at tag "sha256-&lt;hex&gt;.att" whose layers are DSSE envelopes, one per
    /// attestation (SBOM, provenance, VEX…). It has no subject: the tag names the image. Envelopes of other predicates are passed over.
    /// </summary>
    private static async Task<List<DiscoveredVex>> ReadCosignAttestationsAsync(
        IRegistryClient client, string repository, string imageDigest, VexLimits limits, ImageBudget? budget, List<SkippedReferrer> skipped, CancellationToken ct)
    {
        var tag = imageDigest.Replace(':', '-') + ".att";
        ImageManifest manifest;
        try
        {
            manifest = await client.GetManifestAsync(repository, tag, ct);
        }
        catch (ScanException e) when (e.Kind == ScanFailureKind.ImageNotFound)
        {
            return [];
        }
        catch (ScanException e)
        {
            skipped.Add(new SkippedReferrer(tag, VexArtifactTypes.DsseEnvelope, e.Message));
            return [];
        }
        try
        {
            if (manifest.IsIndex) throw new VexDocumentException(null, "(attestations)", $"{tag} is an index, not cosign's attestation manifest");
            budget?.CheckLayers(manifest.Layers.Count);
            var envelopes = manifest.Layers.Where(l => VexArtifactTypes.IsAttestation(l.MediaType)).Take(limits.MaxReferrers);
            return await ReadLayersAsync(client, repository, imageDigest, manifest.Digest, VexArtifactTypes.DsseEnvelope, envelopes, limits, budget, skipped, ct, reportOtherPredicates: false);
        }
        catch (Exception e) when (e is ScanException or VexDocumentException)
        {
            skipped.Add(new SkippedReferrer(manifest.Digest, VexArtifactTypes.DsseEnvelope, e.Message));
            return [];
        }
    }

    private static async Task<List<DiscoveredVex>> ReadReferrerAsync(
        IRegistryClient client, string repository, string imageDigest, Referrer referrer, VexLimits limits, ImageBudget? budget,
        List<SkippedReferrer> skipped, CancellationToken ct)
    {
        var manifest = await client.GetManifestAsync(repository, referrer.Digest, ct);
        if (manifest.IsIndex) throw new VexDocumentException(null, "(referrer)", "an index, not an artifact manifest");
        var subject = SubjectOf(manifest);
        if (subject != imageDigest)
            throw new VexDocumentException(null, "subject", $"the referrer's subject is {subject ?? "missing"}, not the image {imageDigest}");
        budget?.CheckLayers(manifest.Layers.Count);
        var artifactType = manifest.ArtifactType ?? referrer.ArtifactType ?? manifest.Config?.MediaType ?? "";
        return await ReadLayersAsync(client, repository, imageDigest, referrer.Digest, artifactType, manifest.Layers.Take(limits.MaxLayersPerReferrer),
            limits, budget, skipped, ct);
    }

    private static async Task<List<DiscoveredVex>> ReadLayersAsync(
        IRegistryClient client, string repository, string imageDigest, string holder, string artifactType, IEnumerable<Descriptor> layers,
        VexLimits limits, ImageBudget? budget, List<SkippedReferrer> skipped, CancellationToken ct, bool reportOtherPredicates = true)
    {
        var found = new List<DiscoveredVex>();
        foreach (var layer in layers)
        {
            if (layer.Size > limits.MaxDocumentBytes)
            {
                skipped.Add(new SkippedReferrer(holder, artifactType, $"layer {layer.Digest} is {layer.Size} bytes, more than {limits.MaxDocumentBytes} (limit VexLimits.MaxDocumentBytes)"));
                continue;
            }
            if (budget is not null && !budget.TryKeep(layer.Size))
            {
                skipped.Add(new SkippedReferrer(holder, artifactType, $"layer {layer.Digest} would pass the image's kept bytes (limit ImageLimits.MaxKeptBytes)"));
                continue;
            }
            var content = await client.GetBlobAsync(repository, layer.Digest, limits.MaxDocumentBytes, ct);
            var attestation = VexArtifactTypes.IsAttestation(artifactType) || VexArtifactTypes.IsAttestation(layer.MediaType);
            var unwrapped = attestation ? VexAttestation.Unwrap(content) : content;
            if (unwrapped is null)
            {
                // cosign's .att manifest holds every attestation of the image: another predicate there is nothing to report.
                if (reportOtherPredicates)
                    skipped.Add(new SkippedReferrer(holder, artifactType, $"layer {layer.Digest} is an attestation of something other than VEX"));
                continue;
            }
            found.Add(new DiscoveredVex(VexDocumentReader.Read(unwrapped, limits, subject: imageDigest), holder, artifactType));
        }
        return found;
    }

    /// <summary>The manifest's <c>subject.digest</c>: a referrer names the manifest it refers to.</summary>
    private static string? SubjectOf(ImageManifest manifest)
    {
        using var json = UntrustedJson.Parse(manifest.Raw, new JsonDocumentOptions { MaxDepth = 32 });
        return json.RootElement.TryGetProperty("subject", out var subject) && subject.ValueKind == JsonValueKind.Object
            ? VexJson.Text(subject, "digest")
            : null;
    }
}
