using System.Collections.Concurrent;

namespace ImageScanning.Gateway.Aws.Signing;

/// <summary>
/// Signatures already accepted, each kept until its request time leaves the clock-skew window (after which the date check
/// refuses it anyway). Per process: behind several Gateway replicas a replay may reach another one; see docs/ecr-api.md.
/// </summary>
public sealed class SignatureReplayCache(TimeProvider clock)
{
    private const int PruneThreshold = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="signature"/> is presented before <paramref name="keepUntil"/>; false for a replay.</summary>
    public bool TryRecord(string signature, DateTimeOffset keepUntil)
    {
        var now = clock.GetUtcNow();
        if (_seen.Count >= PruneThreshold) Prune(now);
        if (_seen.TryAdd(signature, keepUntil)) return true;
        // An expired entry no longer blocks (the skew check would have refused a stale request before this point).
        if (_seen.TryGetValue(signature, out var until) && until < now && _seen.TryUpdate(signature, keepUntil, until)) return true;
        return false;
    }

    public int Count => _seen.Count;

    private void Prune(DateTimeOffset now)
    {
        foreach (var (signature, until) in _seen)
            if (until < now) _seen.TryRemove(new KeyValuePair<string, DateTimeOffset>(signature, until));
    }
}
