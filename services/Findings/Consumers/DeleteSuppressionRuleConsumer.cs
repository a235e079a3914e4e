using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>Deletes a rule; the findings it suppressed become ACTIVE again (or suppressed by another rule that matches).</summary>
public sealed class DeleteSuppressionRuleConsumer(IFindingLifecycleStore store, FindingLifecycleService lifecycle) : IConsumer<DeleteSuppressionRule>
{
    public async Task Consume(ConsumeContext<DeleteSuppressionRule> context)
    {
        if (!await store.DeleteRuleAsync(context.Message.Id, context.CancellationToken))
        {
            await context.RespondAsync(new SuppressionRulesResult([], NotFound: true));
            return;
        }
        var changes = await lifecycle.ApplyRulesAsync(context.CancellationToken);
        foreach (var change in changes) await context.Publish(change, context.CancellationToken);
        await context.RespondAsync(new SuppressionRulesResult([], changes.Count));
    }
}
