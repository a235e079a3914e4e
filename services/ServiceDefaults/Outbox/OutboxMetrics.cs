using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ImageScanning.ServiceDefaults.Extensions;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>
/// imagescanning.outbox.*: messages waiting in each service's outbox and the age of the oldest (a dispatch that stopped shows
/// as a growing age), and dispatches by outcome.
/// </summary>
public sealed class OutboxMetrics
{
    private readonly Counter<long> _dispatches;
    private readonly ConcurrentDictionary<string, (long Pending, double OldestSeconds)> _status = new(StringComparer.Ordinal);

    public OutboxMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ServiceDefaultsExtensions.TelemetryPrefix + ".Outbox");
        _dispatches = meter.CreateCounter<long>("imagescanning.outbox.dispatches", "{message}", "Outbox messages handed to the bus (outcome=sent) or refused by it (outcome=failed).");
        meter.CreateObservableGauge("imagescanning.outbox.pending", () =>
            _status.Select(s => new Measurement<long>(s.Value.Pending, new KeyValuePair<string, object?>("database", s.Key))),
            "{message}", "Outbox messages not yet handed to the bus.");
        meter.CreateObservableGauge("imagescanning.outbox.oldest_pending_age", () =>
            _status.Select(s => new Measurement<double>(s.Value.OldestSeconds, new KeyValuePair<string, object?>("database", s.Key))),
            "s", "Age of the oldest outbox message not yet handed to the bus (0 when none waits).");
    }

    public void Dispatched(string database) => _dispatches.Add(1, new("database", database), new("outcome", "sent"));

    public void Failed(string database) => _dispatches.Add(1, new("database", database), new("outcome", "failed"));

    public void Observe(string database, OutboxStatus status, DateTimeOffset now) =>
        _status[database] = (status.Pending, status.OldestPendingCreatedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0);
}
