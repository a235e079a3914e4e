using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Deletes a rule; the findings it suppressed become ACTIVE again (or suppressed by another rule that matches). The deletion, the
/// status changes and their FindingChanged events in one unit of work, de-duplicated on the message id.
/// </summary>
public sealed class DeleteSuppressionRuleConsumer(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database,
    IFindingLifecycleStore store, FindingLifecycleService lifecycle)
    : IConsumer<DeleteSuppressionRule>
{
    public async Task Consume(ConsumeContext<DeleteSuppressionRule> context) =>
        // Answered once the work has ended: the response never holds the database's write lock.
        await context.RespondAsync(await DeleteAsync(context));

    private async Task<SuppressionRulesResult> DeleteAsync(ConsumeContext<DeleteSuppressionRule> context)
    {
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync<DeleteSuppressionRuleConsumer>(context);
        // Deleted by an earlier delivery of this request (its response was lost).
        if (work.AlreadyHandled) return new SuppressionRulesResult([]);
        if (!await store.In(work).DeleteRuleAsync(context.Message.Id, ct)) return new SuppressionRulesResult([], NotFound: true);
        var changes = await lifecycle.In(work).ApplyRulesAsync(ct);
        foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        await work.CommitAsync<DeleteSuppressionRuleConsumer>(context);
        return new SuppressionRulesResult([], changes.Count);
    }
}
