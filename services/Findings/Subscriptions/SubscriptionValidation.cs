using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Patterns;

namespace ImageScanning.Findings.Subscriptions;

/// <summary>What a subscription definition must be; the one place both create and update check it.</summary>
public static class SubscriptionValidation
{
    /// <summary>Null when acceptable, otherwise a message the API returns as is.</summary>
    public static string? Validate(SubscriptionDefinition definition)
    {
        if (!Uri.TryCreate(definition.TargetUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return $"targetUrl must be an absolute http:// or https:// URL; got '{definition.TargetUrl}'.";
        if (!string.IsNullOrEmpty(url.UserInfo))
            return "targetUrl must not carry credentials; the body is signed with the subscription's secret instead.";
        if (definition.Description is { Length: > 256 }) return "description is longer than 256 characters.";
        try
        {
            EventPattern.Parse(definition.EventPattern);
            return null;
        }
        catch (EventPatternException e)
        {
            return "eventPattern: " + e.Message;
        }
    }

    /// <summary>Now, at the millisecond precision both stores keep, so what create returns equals what get returns.</summary>
    public static DateTimeOffset Now(TimeProvider time) => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    public static SubscriptionView ToView(this Subscription s) =>
        new(s.Id, s.TargetUrl, s.EventPattern, s.CloudEvents, s.Description, s.CreatedAt, s.UpdatedAt);

    public static DeadLetterView ToDeadLetterView(this WebhookDelivery d) =>
        new(d.Id, d.EventId, d.DetailType, d.Attempts, d.LastError, d.CreatedAt, d.DeadLetteredAt);
}
