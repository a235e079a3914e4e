using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

public sealed class GetRescanConfigurationConsumer(IScanningConfigurationStore settings) : IConsumer<GetRescanConfiguration>
{
    public async Task Consume(ConsumeContext<GetRescanConfiguration> context)
    {
        var stored = await settings.GetRescanConfigurationAsync(context.Message.Registry, context.CancellationToken);
        await context.RespondAsync(new RescanConfigurationResult(context.Message.Registry, stored.Configuration, stored.UpdatedAt));
    }
}

/// <summary>Validates before storing; an invalid configuration changes nothing. Already expired images stay expired (§2.3).</summary>
public sealed class PutRescanConfigurationConsumer(IScanningConfigurationStore settings, TimeProvider clock) : IConsumer<PutRescanConfiguration>
{
    public async Task Consume(ConsumeContext<PutRescanConfiguration> context)
    {
        if (RescanConfigurationValidator.Validate(context.Message.Configuration) is { } error)
        {
            await context.RespondAsync(new PutRescanConfigurationResult(null, null, error.ErrorType, error.Message));
            return;
        }
        var now = clock.GetUtcNow();
        await settings.PutRescanConfigurationAsync(context.Message.Registry, context.Message.Configuration, now, context.CancellationToken);
        await context.RespondAsync(new PutRescanConfigurationResult(context.Message.Configuration, now, null, null));
    }
}
