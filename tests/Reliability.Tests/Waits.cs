using System.Diagnostics;

namespace ImageScanning.Reliability.Tests;

public static class Waits
{
    /// <summary>Returns when <paramref name="clock"/> reads <paramref name="at"/> (at once if it is past).</summary>
    public static async Task Until(Stopwatch clock, TimeSpan at)
    {
        var due = at - clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due);
    }

    public static Task<bool> ForAsync(Func<bool> condition, TimeSpan timeout) => ForAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Polls <paramref name="condition"/> every half second; false if it still fails after <paramref name="timeout"/>.</summary>
    public static async Task<bool> ForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(500);
        }
        return await condition();
    }
}
