using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Creates or replaces a suppression rule and moves the open findings it (no longer) matches between ACTIVE and SUPPRESSED: the
/// rule, the status changes and their FindingChanged events in one unit of work, de-duplicated on the message id. A new rule's
/// id comes from the message id, so a redelivered request answers with the rule it created the first time.
/// </summary>
public sealed class SaveSuppressionRuleConsumer(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database,
    IFindingLifecycleStore store, FindingLifecycleService lifecycle, TimeProvider clock)
    : IConsumer<SaveSuppressionRule>
{
    public async Task Consume(ConsumeContext<SaveSuppressionRule> context)
    {
        var request = context.Message;
        var result = SuppressionMatcher.Validate(request) is { } error
            ? new SuppressionRulesResult([], ErrorMessage: error)
            : await SaveAsync(context);
        // Answered once the work has ended: the response never holds the database's write lock.
        await context.RespondAsync(result);
    }

    private async Task<SuppressionRulesResult> SaveAsync(ConsumeContext<SaveSuppressionRule> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        var id = request.Id ?? (context.MessageId ?? throw new InvalidOperationException("The request has no MessageId.")).ToString("N");
        await using var work = await database.BeginAsync<SaveSuppressionRuleConsumer>(context);
        var rules = store.In(work);
        var existing = (await rules.ListRulesAsync(ct)).FirstOrDefault(r => r.Id == id);
        // Saved by an earlier delivery of this request (its response was lost): answer with the rule as it stands.
        if (work.AlreadyHandled) return existing is null ? new SuppressionRulesResult([], NotFound: true) : new SuppressionRulesResult([existing]);
        if (request.Id is not null && existing is null) return new SuppressionRulesResult([], NotFound: true);

        var now = clock.GetUtcNow();
        var rule = existing is null
            ? new SuppressionRule(id, request.Name.Trim(), request.Reason.Trim(), request.Filter, request.ExpiresAt, now, now,
                request.Criteria, request.Action, request.Description, request.Tags)
            : existing with
            {
                Name = request.Name.Trim(), Reason = request.Reason.Trim(), Filter = request.Filter, ExpiresAt = request.ExpiresAt, UpdatedAt = now,
                Criteria = request.Criteria, Action = request.Action, Description = request.Description, Tags = request.Tags ?? existing.Tags,
            };
        await rules.SaveRuleAsync(rule, ct);
        var changes = await lifecycle.In(work).ApplyRulesAsync(ct);
        foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        await work.CommitAsync<SaveSuppressionRuleConsumer>(context);
        return new SuppressionRulesResult([rule], changes.Count);
    }
}
