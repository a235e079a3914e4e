using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>The registry could not be asked now (unreachable, or no answer in time): the notification is refused so that it comes again.</summary>
public sealed class RegistryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Completes the pushes a payload names only by tag (or by digest without a media type) from the registry itself, with the scanners'
/// registry client and the registry's configured Url and credentials (never a URL from the payload). The router needs a digest and
/// a media type (it scans, deduplicates and catalogues by digest, and skips indexes), so they are settled here, before the outbox.
/// A tag of a multi-platform index becomes one push per platform image manifest: the scanners read image manifests only, and a
/// registry that names only the tag reports nothing else. An index named by digest is ignored as distribution's are: registries
/// that name digests report each platform manifest's push too.
/// </summary>
public sealed class RegistryImageResolver(WebhookRegistryClients clients, IOptions<WebhookOptions> options)
{
    public async Task<ParsedNotification> ResolveAsync(string registry, WebhookParse parse, CancellationToken cancellationToken)
    {
        if (parse.Pending.Count == 0) return parse.Complete;
        var pushes = parse.Complete.Pushes.ToList();
        var outcomes = parse.Complete.Outcomes.ToList();
        var client = ClientFor(registry, out var problem);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ResolveTimeout);
        foreach (var pending in parse.Pending)
        {
            var reference = pending.Digest ?? pending.Tag!;
            var named = pending.Digest is null ? $"{pending.Repository}:{reference}" : $"{pending.Repository}@{reference}";
            if (client is null)
            {
                outcomes.Add(new(pending.EventId, WebhookEventOutcome.Rejected, $"{named} could not be looked up: {problem}"));
                continue;
            }
            ImageManifest manifest;
            try
            {
                manifest = await client.GetManifestAsync(pending.Repository, reference, timeout.Token);
            }
            catch (ScanException e) when (e.Kind == ScanFailureKind.RegistryUnreachable)
            {
                throw new RegistryUnavailableException(e.Message, e);
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RegistryUnavailableException(
                    $"Registry '{registry}' did not send the manifest of {named} within {WebhookOptions.Section}:ResolveTimeout ({options.Value.ResolveTimeout}).", e);
            }
            catch (ScanException e)
            {
                outcomes.Add(new(pending.EventId, WebhookEventOutcome.Rejected, $"{named} could not be looked up: {e.Message}"));
                continue;
            }
            Add(registry, pending, manifest, pushes, outcomes);
        }
        return new ParsedNotification(pushes, parse.Complete.Pulls, outcomes);
    }

    private static void Add(string registry, PendingPush pending, ImageManifest manifest, List<ImagePushed> pushes, List<WebhookEventOutcome> outcomes)
    {
        var id = pending.Digest is null ? $"{pending.EventId}@{manifest.Digest}" : pending.EventId;
        if (MediaTypes.IsImageManifest(manifest.MediaType))
        {
            pushes.Add(new ImagePushed(id, registry, pending.Repository, manifest.Digest, pending.Tag, manifest.MediaType, pending.PushedAt));
            outcomes.Add(new(id, WebhookEventOutcome.Accepted, null));
            return;
        }
        if (!manifest.IsIndex)
        {
            outcomes.Add(new(id, WebhookEventOutcome.Ignored, $"media type '{manifest.MediaType}' is not an image manifest"));
            return;
        }
        if (pending.Digest is not null)
        {
            // Named by digest, the index is one event among its platform manifests' own (pushed by digest first), as distribution's.
            outcomes.Add(new(id, WebhookEventOutcome.Ignored, "an image index: its platform manifests are scanned on their own"));
            return;
        }
        // Attestation manifests sit in an index as platform unknown/unknown: they are not images.
        var images = manifest.Manifests.Where(m => MediaTypes.IsImageManifest(m.Descriptor.MediaType) && m.Platform?.Os != "unknown").ToList();
        if (images.Count == 0) outcomes.Add(new(id, WebhookEventOutcome.Ignored, "an image index without image manifests"));
        foreach (var image in images)
        {
            var childId = $"{id}/{image.Descriptor.Digest}";
            pushes.Add(new ImagePushed(childId, registry, pending.Repository, image.Descriptor.Digest, pending.Tag, image.Descriptor.MediaType, pending.PushedAt));
            outcomes.Add(new(childId, WebhookEventOutcome.Accepted, $"platform {image.Platform?.ToString() ?? "(none)"} of image index {manifest.Digest}"));
        }
    }

    /// <summary>The registry's client, or null and why not (the Gateway needs the registry's Url to ask it anything).</summary>
    private IRegistryClient? ClientFor(string registry, out string? problem)
    {
        problem = null;
        if (clients.Find(registry) is not { Url.Length: > 0 })
        {
            problem = $"registry '{registry}' has no Url (Registries:N:Url), so the Gateway cannot ask it for the manifest.";
            return null;
        }
        try
        {
            return clients.For(registry);
        }
        catch (Exception e) when (e is InvalidOperationException or ScanException)
        {
            problem = $"the registries are misconfigured: {e.Message}";
            return null;
        }
    }
}
