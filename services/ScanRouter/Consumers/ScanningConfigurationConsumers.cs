using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

public sealed class GetRegistryScanningConfigurationConsumer(IScanningConfigurationStore settings) : IConsumer<GetRegistryScanningConfiguration>
{
    public async Task Consume(ConsumeContext<GetRegistryScanningConfiguration> context)
    {
        var configuration = await settings.GetConfigurationAsync(context.Message.Registry, context.CancellationToken);
        await context.RespondAsync(new RegistryScanningConfigurationResult(context.Message.Registry, configuration));
    }
}

/// <summary>Validates with ECR's limits and messages before storing; an invalid configuration changes nothing.</summary>
public sealed class PutRegistryScanningConfigurationConsumer(IScanningConfigurationStore settings) : IConsumer<PutRegistryScanningConfiguration>
{
    public async Task Consume(ConsumeContext<PutRegistryScanningConfiguration> context)
    {
        var validation = ScanningConfigurationValidator.Validate(context.Message.Configuration);
        if (validation.Error is { } error)
        {
            await context.RespondAsync(new PutRegistryScanningConfigurationResult(null, error.ErrorType, error.Message));
            return;
        }
        await settings.PutConfigurationAsync(context.Message.Registry, validation.Configuration!, context.CancellationToken);
        await context.RespondAsync(new PutRegistryScanningConfigurationResult(validation.Configuration, null, null));
    }
}
