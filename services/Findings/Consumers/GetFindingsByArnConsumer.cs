using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>The findings with the asked ARNs (BatchGetFindingDetails); an ARN of another account or region, or unknown, is left out.</summary>
public sealed class GetFindingsByArnConsumer(IFindingLifecycleStore store) : IConsumer<GetFindingsByArn>
{
    public async Task Consume(ConsumeContext<GetFindingsByArn> context)
    {
        var arns = context.Message.FindingArns.Distinct(StringComparer.Ordinal).ToList();
        var ids = arns.Select(arn => arn[(arn.LastIndexOf('/') + 1)..]).Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var rows = await store.GetFindingsAsync(ids, context.CancellationToken);
        // The id alone is not the finding: the whole ARN must be the one the store holds.
        var found = rows.Where(r => arns.Contains(r.Arn, StringComparer.Ordinal)).Select(r => r.ToDetail()).ToList();
        await context.RespondAsync(new FindingsByArn(found));
    }
}
