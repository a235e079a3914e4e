namespace ImageScanning.Findings.Subscriptions.Delivery;

/// <summary>Wakes the dispatcher as soon as something was queued, so a delivery does not wait for the next poll.</summary>
public sealed class DispatchSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers everything queued so far.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
