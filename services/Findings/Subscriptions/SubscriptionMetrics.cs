using System.Diagnostics.Metrics;

namespace ImageScanning.Findings.Subscriptions;

/// <summary>
/// Webhook delivery telemetry. The names are a contract with the Grafana dashboards:
/// imagescanning.subscriptions.deliveries{outcome=delivered|failed|dead_lettered} and imagescanning.subscriptions.pending.
/// </summary>
public sealed class SubscriptionMetrics
{
    public const string MeterName = "ImageScanning.Subscriptions";

    private readonly Counter<long> _deliveries;
    private long _pending;

    public SubscriptionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("imagescanning.subscriptions.deliveries", "{delivery}",
            "Webhook delivery attempts by outcome: delivered, failed (will retry) or dead_lettered.");
        meter.CreateObservableGauge("imagescanning.subscriptions.pending", () => Interlocked.Read(ref _pending), "{delivery}",
            "Deliveries in the outbox waiting to be sent or retried.");
    }

    public void Delivered() => Record("delivered");

    public void Failed() => Record("failed");

    public void DeadLettered() => Record("dead_lettered");

    /// <summary>The dispatcher refreshes this from the store on every pass (the gauge callback cannot query).</summary>
    public void SetPending(long pending) => Interlocked.Exchange(ref _pending, pending);

    private void Record(string outcome) => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
