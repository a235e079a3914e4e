using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Which catalogued repositories each rule of a proposed configuration matches, and what each repository's
/// scanning would become. Validated exactly as a put; nothing is stored.
/// </summary>
public sealed class PreviewScanningConfigurationConsumer(IImageCatalogStore catalog) : IConsumer<PreviewScanningConfiguration>
{
    public async Task Consume(ConsumeContext<PreviewScanningConfiguration> context)
    {
        var validation = ScanningConfigurationValidator.Validate(context.Message.Configuration);
        if (validation.Error is { } error)
        {
            await context.RespondAsync(new ScanningConfigurationPreviewResult([], [], error.ErrorType, error.Message));
            return;
        }
        var configuration = validation.Configuration!;
        var repositories = await catalog.ListRepositoriesAsync(context.Message.Registry, context.CancellationToken);

        var rules = configuration.Rules.Select((rule, index) => new RulePreview(
            index,
            rule.ScanFrequency,
            repositories.Where(name => rule.RepositoryFilters.Any(f => WildcardFilter.Matches(f, name))).ToList())).ToList();
        var effective = repositories.Select(name =>
        {
            var scanning = ScanningRules.Evaluate(configuration, name);
            return new RepositoryPreview(name, scanning.ScanFrequency, scanning.ScanningEnabled, scanning.ScanOnPush);
        }).ToList();
        await context.RespondAsync(new ScanningConfigurationPreviewResult(rules, effective, null, null));
    }
}
