namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>At start-up, before any delivery: encrypts the secrets of subscriptions stored before secrets were encrypted.</summary>
public sealed class SubscriptionSecretMigration(ISubscriptionStore store, ILogger<SubscriptionSecretMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is not ProtectedSubscriptionStore protectedStore) return;
        var encrypted = await protectedStore.EncryptPlaintextSecretsAsync(cancellationToken);
        if (encrypted > 0) logger.LogInformation("Encrypted the stored secrets of {Count} webhook subscriptions", encrypted);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
