namespace ImageScanning.Reliability.Tests;

/// <summary>
/// R6: the embedded Standalone process (in-memory bus, SQLite) killed with kill -9 while scans are queued. Every accepted
/// notification and every queued scan is in its SQLite outbox, so after the restart all of them complete and are announced once.
/// </summary>
[TestFixture]
public sealed class StandaloneRestartTests
{
    private FaultPlatform _platform = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _platform = await FaultPlatform.StartStandaloneAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _platform?.SaveLogs(GetType().Name);
        if (_platform is not null) await _platform.DisposeAsync();
    }

    [Test]
    public async Task R6_Standalone_killed_with_scans_queued_completes_them_after_restart()
    {
        const int count = 150;
        // Pushed faster than one process scans them, then killed at once: most are accepted and queued, few announced.
        var pushes = await _platform.PushDuringAsync("rel/r6", count, perSecond: 200, concurrency: 8);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the registry's notifications reach the Gateway
        var scanned = pushes.Images.Select(i => i.Digest).ToHashSet(StringComparer.Ordinal);
        var announcedAtKill = _platform.Ledger.Snapshot().Keys.Count(scanned.Contains);
        await _platform["Standalone"].KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await _platform["Standalone"].RestartAsync();

        var figures = await _platform.DrainAsync("R6", pushes with { LastPushAt = DateTime.UtcNow }, TimeSpan.FromMinutes(4),
            $"Standalone killed (kill -9) 1 s after the last push, {count - announcedAtKill} of {count} scans not yet announced; restarted 3 s later (drain counted from the restart)");
        figures.Record();
        // How many are still queued at the kill depends on the machine's speed (73 and 77 of 150 were already announced on two
        // runs); a fifth still queued is enough for the restart to prove something.
        Assert.That(count - announcedAtKill, Is.AtLeast(count / 5),
            $"only {count - announcedAtKill} of {count} scans were still queued when the process was killed: the scenario proves little");
        figures.AssertNothingLostOrDuplicated();
    }
}
