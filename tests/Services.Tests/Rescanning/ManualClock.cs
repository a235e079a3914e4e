namespace ImageScanning.Services.Tests.Rescanning;

/// <summary>A clock the test sets, so re-scan windows of days pass instantly.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
