using System.Net.Http.Headers;
using System.Text;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Outbound;

namespace ImageScanning.Findings.Subscriptions.Delivery;

/// <summary>
/// Sends the outbox: claims due deliveries, POSTs each signed body to its subscription's URL, deletes it on a 2xx,
/// otherwise schedules a retry with exponential backoff, and after MaxAttempts failures moves it to the dead letters.
/// </summary>
public sealed class SubscriptionDispatcher(
    ISubscriptionStore store,
    IHttpClientFactory httpClientFactory,
    SubscriptionOptions options,
    SubscriptionMetrics metrics,
    DispatchSignal signal,
    TimeProvider time,
    ILogger<SubscriptionDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "subscriptions";
    public const string DeliveryIdHeader = "X-ImageScanning-Delivery";
    public const string EventIdHeader = "X-ImageScanning-Event-Id";

    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAsync(stoppingToken);
                var sent = await DispatchDueAsync(stoppingToken);
                metrics.SetPending(await store.CountPendingAsync(stoppingToken));
                // A full batch means more may be due right away.
                if (sent < options.BatchSize) await signal.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store being briefly unavailable must not end delivery for the life of the process.
                logger.LogError(e, "Webhook dispatch pass failed; retrying");
                await Task.Delay(options.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Once a minute, forget deliveries older than the de-duplication window.</summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromMinutes(1)) return;
        _lastPrune = now;
        await store.PruneDeliveredAsync(now - options.DeduplicationWindow, cancellationToken);
    }

    /// <summary>One pass over what is due now; returns how many deliveries were attempted.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.ClaimDueAsync(time.GetUtcNow(), options.Lease, options.BatchSize, cancellationToken);
        if (due.Count == 0) return 0;
        var subscriptions = (await store.ListSubscriptionsAsync(cancellationToken)).ToDictionary(s => s.Id);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (delivery, ct) =>
            {
                if (subscriptions.TryGetValue(delivery.SubscriptionId, out var subscription)) await AttemptAsync(subscription, delivery, ct);
                else await store.MarkDeliveredAsync(delivery.Id, time.GetUtcNow(), ct); // its subscription was deleted meanwhile
            });
        return due.Count;
    }

    private async Task AttemptAsync(Subscription subscription, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var (error, refused) = await SendAsync(subscription, delivery, cancellationToken);
        if (error is null)
        {
            await store.MarkDeliveredAsync(delivery.Id, time.GetUtcNow(), cancellationToken);
            metrics.Delivered();
            logger.LogInformation("Delivered {DetailType} {EventId} to subscription {SubscriptionId} (attempt {Attempt})",
                delivery.DetailType, delivery.EventId, subscription.Id, delivery.Attempts + 1);
            return;
        }

        var attempts = delivery.Attempts + 1;
        // A refused address is the platform's answer, not the subscriber's: retrying changes nothing until someone changes the
        // allow-list or the name's address, and then replays the dead letters.
        if (attempts >= options.MaxAttempts || refused)
        {
            await store.MarkDeadLetteredAsync(delivery.Id, attempts, error, time.GetUtcNow(), cancellationToken);
            metrics.DeadLettered();
            logger.LogWarning("Dead-lettered {DetailType} {EventId} for subscription {SubscriptionId} after {Attempts} attempts: {Error}",
                delivery.DetailType, delivery.EventId, subscription.Id, attempts, error);
            return;
        }

        var next = time.GetUtcNow() + Backoff(attempts);
        await store.MarkRetryAsync(delivery.Id, attempts, error, next, cancellationToken);
        metrics.Failed();
        logger.LogWarning("Delivery of {EventId} to subscription {SubscriptionId} failed (attempt {Attempts}): {Error}; next attempt at {Next:o}",
            delivery.EventId, subscription.Id, attempts, error, next);
    }

    /// <summary>InitialBackoff × 2^(failures−1), capped at MaxBackoff.</summary>
    public TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var backoff = TimeSpan.FromMilliseconds(Math.Min(options.InitialBackoff.TotalMilliseconds * factor, options.MaxBackoff.TotalMilliseconds));
        return backoff;
    }

    /// <summary>
    /// Null when the subscriber accepted (2xx); otherwise why not, without the body or secret. Refused and failed connections
    /// say no more than the category: the dead letters must not tell which internal ports answer.
    /// </summary>
    private async Task<(string? Error, bool Refused)> SendAsync(Subscription subscription, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.TargetUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(delivery.ContentType) { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Sign(subscription.Secret, body));
        request.Headers.Add(DeliveryIdHeader, delivery.Id.ToString());
        request.Headers.Add(EventIdHeader, delivery.EventId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            return (response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ($"no response within {options.RequestTimeout.TotalSeconds:0.#} s", false);
        }
        catch (HttpRequestException e) when (OutboundAddressRefusedException.Find(e) is { } refused)
        {
            return (refused.Message, true);
        }
        catch (HttpRequestException e)
        {
            return (e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "the host name does not resolve",
                HttpRequestError.SecureConnectionError => "the TLS handshake failed",
                HttpRequestError.ConnectionError => "no connection could be made",
                _ => "the request failed (" + e.HttpRequestError + ")",
            }, false);
        }
    }
}
