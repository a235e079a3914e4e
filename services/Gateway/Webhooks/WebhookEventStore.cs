using System.Security.Cryptography;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>
/// Stores the image events of an accepted notification in the Gateway's outbox, in one transaction: only then is the notification
/// acknowledged, and the outbox dispatcher publishes them whenever the bus takes them (a broker that is down fails nothing here).
/// Each event's message id is derived from its registry and event id, and marked in the inbox in the same transaction, so a
/// registry that sends a notification again (our 202 was lost) stores nothing twice.
/// </summary>
public sealed class WebhookEventStore(
    [FromKeyedServices(GatewayExtensions.DatabaseName)] IServiceDatabase database, IOptions<WebhookOptions> options)
{
    /// <summary>The inbox's consumer name for registry notifications.</summary>
    public const string InboxName = "DistributionWebhook";

    /// <summary>Stores the notification's pushes and pulls; returns the ids of the events an earlier delivery had already stored.</summary>
    /// <exception cref="Exception">The store could not take them (nothing was stored): answer so that the registry retries.</exception>
    public async Task<IReadOnlySet<string>> StoreAsync(string registry, ParsedNotification notification)
    {
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        if (notification.Pushes.Count + notification.Pulls.Count == 0) return repeated;
        // Not the request's token: once started, the write finishes or rolls back whole, whether or not the registry still waits.
        await using var work = await BeginAsync();
        foreach (var push in notification.Pushes)
        {
            var id = MessageIdOf(nameof(ImagePushed), registry, push.DeliveryId);
            if (await work.TryMarkHandledAsync(InboxName, id, CancellationToken.None)) work.Publish(push, id);
            else repeated.Add(push.DeliveryId);
        }
        foreach (var pull in notification.Pulls)
        {
            var id = MessageIdOf(nameof(ImagePulled), registry, pull.DeliveryId);
            if (await work.TryMarkHandledAsync(InboxName, id, CancellationToken.None)) work.Publish(pull, id);
            else repeated.Add(pull.DeliveryId);
        }
        await work.CommitAsync(CancellationToken.None);
        return repeated;
    }

    /// <summary>A unit of work, or a <see cref="TimeoutException"/> after <see cref="WebhookOptions.StoreTimeout"/> (a locked store).</summary>
    private async Task<UnitOfWork> BeginAsync()
    {
        var storeTimeout = options.Value.StoreTimeout;
        using var timeout = new CancellationTokenSource(storeTimeout);
        try
        {
            return await database.BeginAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The Gateway's '{database.Name}' store did not start a write within {storeTimeout}.");
        }
    }

    /// <summary>A name-based id (RFC 9562 version 8, from SHA-256) of one registry event.</summary>
    public static Guid MessageIdOf(string kind, string registry, string deliveryId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', kind, registry, deliveryId)), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }
}
