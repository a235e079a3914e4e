using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>Creates or replaces a suppression rule, then moves the open findings it (no longer) matches between ACTIVE and SUPPRESSED.</summary>
public sealed class SaveSuppressionRuleConsumer(IFindingLifecycleStore store, FindingLifecycleService lifecycle, TimeProvider clock)
    : IConsumer<SaveSuppressionRule>
{
    public async Task Consume(ConsumeContext<SaveSuppressionRule> context)
    {
        var request = context.Message;
        if (SuppressionMatcher.Validate(request.Filter, request.Name, request.Reason) is { } error)
        {
            await context.RespondAsync(new SuppressionRulesResult([], ErrorMessage: error));
            return;
        }
        var now = clock.GetUtcNow();
        SuppressionRule rule;
        if (request.Id is null)
            rule = new SuppressionRule(Guid.NewGuid().ToString("N"), request.Name.Trim(), request.Reason.Trim(), request.Filter, request.ExpiresAt, now, now);
        else
        {
            var existing = (await store.ListRulesAsync(context.CancellationToken)).FirstOrDefault(r => r.Id == request.Id);
            if (existing is null)
            {
                await context.RespondAsync(new SuppressionRulesResult([], NotFound: true));
                return;
            }
            rule = existing with { Name = request.Name.Trim(), Reason = request.Reason.Trim(), Filter = request.Filter, ExpiresAt = request.ExpiresAt, UpdatedAt = now };
        }
        await store.SaveRuleAsync(rule, context.CancellationToken);
        var changes = await lifecycle.ApplyRulesAsync(context.CancellationToken);
        foreach (var change in changes) await context.Publish(change, context.CancellationToken);
        await context.RespondAsync(new SuppressionRulesResult([rule], changes.Count));
    }
}
