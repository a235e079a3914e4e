using ImageScanning.Gateway.Webhooks;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Gateway.Polling;

/// <summary>What one poll of one registry did.</summary>
public sealed record PollResult(int Repositories, int Tags, int Published, int AlreadyPublished, int Failed, bool Truncated, string? Error)
{
    public static PollResult Failure(string error) => new(0, 0, 0, 0, 0, false, error);
}

/// <summary>
/// One walk of a registry's catalog: every tag of every repository (up to the configured bounds) becomes a push to resolve, as a
/// Quay webhook's tags do, with the delivery id <c>poll:&lt;repository&gt;:&lt;tag&gt;</c>; <see cref="RegistryImageResolver"/>
/// finds its digest and media type (and the id becomes <c>…@&lt;digest&gt;</c>), and <see cref="WebhookEventStore"/> stores it
/// through the same outbox and inbox the webhooks use. So the inbox is the memory of what was seen: the same tag and digest polled
/// again is a repeated delivery and publishes nothing, a tag moved to new content is a new id and publishes once, and a removed
/// tag is simply not listed. No store of its own: the inbox already keeps (registry, id) for every event accepted.
/// </summary>
public sealed class CatalogPoller(WebhookRegistryClients clients, RegistryImageResolver resolver, WebhookEventStore store, TimeProvider time)
{
    public const string DeliveryPrefix = "poll:";

    private const int ResolveChunk = 20;

    public async Task<PollResult> PollAsync(string registry, RegistryPollingOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        int repositories = 0, tags = 0, published = 0, repeated = 0, failed = 0;
        var truncated = false;
        try
        {
            var client = clients.For(registry);
            string? lastRepository = null;
            do
            {
                var page = await client.ListRepositoriesAsync(lastRepository, options.PageSize, timeout.Token);
                foreach (var repository in page.Names)
                {
                    if (repositories >= options.MaxRepositories || tags >= options.MaxTags) { truncated = true; break; }
                    repositories++;
                    var pending = await TagsAsync(client, repository, options, options.MaxTags - tags, timeout.Token);
                    truncated |= pending.Truncated;
                    tags += pending.Pushes.Count;
                    // In chunks: Gateway:Webhooks:ResolveTimeout bounds each resolver call, as it bounds one notification.
                    foreach (var chunk in pending.Pushes.Chunk(ResolveChunk))
                    {
                        var parsed = await resolver.ResolveAsync(registry, WebhookParse.Of([], [], [], chunk), timeout.Token);
                        var stored = await store.StoreAsync(registry, parsed);
                        repeated += stored.Count;
                        published += parsed.Pushes.Count - stored.Count;
                        failed += parsed.Outcomes.Count(o => o.Outcome == WebhookEventOutcome.Rejected);
                    }
                }
                lastRepository = truncated ? null : page.Next;
            }
            while (lastRepository is not null);
            return new PollResult(repositories, tags, published, repeated, failed, truncated, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new PollResult(repositories, tags, published, repeated, failed, true,
                $"the poll took longer than Registries '{registry}' Polling:Timeout ({options.Timeout}); what it stored stays stored");
        }
        catch (Exception e) when (e is ScanException or RegistryUnavailableException or InvalidOperationException or TimeoutException)
        {
            return new PollResult(repositories, tags, published, repeated, failed, truncated, e.Message);
        }
    }

    private async Task<(List<PendingPush> Pushes, bool Truncated)> TagsAsync(
        IRegistryClient client, string repository, RegistryPollingOptions options, int room, CancellationToken ct)
    {
        var pushes = new List<PendingPush>();
        if (!WebhookFields.IsRepository(repository)) return (pushes, false);
        var now = time.GetUtcNow();
        string? last = null;
        do
        {
            var page = await client.ListTagsAsync(repository, last, options.PageSize, ct);
            foreach (var tag in page.Names.Where(WebhookFields.IsTag))
            {
                if (pushes.Count >= room) return (pushes, true);
                pushes.Add(new PendingPush($"{DeliveryPrefix}{repository}:{tag}", repository, tag, null, now));
            }
            last = page.Next;
        }
        while (last is not null);
        return (pushes, false);
    }
}
