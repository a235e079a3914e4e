using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Reliability.Tests;

/// <summary>
/// Every service its own process on a real 3-node RabbitMQ cluster (quorum queues replicated on all three), SQLite stores,
/// real docker-registry pushes. Each scenario pushes distinct images while it breaks one thing, then checks the subscriber's
/// view: every image COMPLETE, one scan event id per image, each finding change once, nothing parked in _error.
/// </summary>
[TestFixture]
public sealed class ClusterFaultTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(4);
    private RabbitMqCluster _cluster = null!;
    private FaultPlatform _platform = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cluster = await RabbitMqCluster.StartAsync(3);
        _platform = await FaultPlatform.StartDistributedAsync(_cluster);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _platform?.SaveLogs(GetType().Name);
        if (_platform is not null) await _platform.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task R1_a_node_of_the_cluster_stopped_and_started_mid_load_loses_nothing()
    {
        var pushes = await _platform.PushDuringAsync("rel/r1", count: 300, perSecond: 10, async clock =>
        {
            await Waits.Until(clock, TimeSpan.FromSeconds(6));
            await _cluster.StopNodeAsync(0); // the node every service connected to first
            await Waits.Until(clock, TimeSpan.FromSeconds(20));
            await _cluster.StartNodeAsync(0);
        });

        var figures = await _platform.DrainAsync("R1", pushes, DrainTimeout, "node 1 of 3 stopped at 6 s, started at 20 s");
        figures.Record();
        figures.AssertNothingLostOrDuplicated();
    }

    [Test, Order(2)]
    public async Task R2_each_service_killed_and_restarted_10_s_later_mid_load_loses_nothing()
    {
        var pushes = await _platform.PushDuringAsync("rel/r2", count: 200, perSecond: 2.5, async clock =>
        {
            var at = TimeSpan.FromSeconds(3);
            foreach (var service in new[] { "Gateway", "ScanRouter", "BasicScanner", "EnhancedScanner", "Findings", "CveFeed" })
            {
                await Waits.Until(clock, at);
                await _platform[service].KillAsync();
                await Task.Delay(TimeSpan.FromSeconds(10));
                await _platform[service].RestartAsync();
                at = clock.Elapsed + TimeSpan.FromSeconds(2);
            }
        });

        var figures = await _platform.DrainAsync("R2", pushes, DrainTimeout,
            "kill -9 of Gateway, ScanRouter, BasicScanner, EnhancedScanner, Findings, CveFeed in turn, each restarted 10 s later");
        figures.Record();
        figures.AssertNothingLostOrDuplicated();
    }

    [Test, Order(3)]
    public async Task R3_every_store_locked_by_another_process_for_60_s_mid_load_loses_nothing()
    {
        var pushes = await _platform.PushDuringAsync("rel/r3", count: 120, perSecond: 4, async clock =>
        {
            await Waits.Until(clock, TimeSpan.FromSeconds(4));
            await HoldWriteLocksAsync(Directory.GetFiles(_platform.DataDirectory, "*.db"), TimeSpan.FromSeconds(60));
        });

        var figures = await _platform.DrainAsync("R3", pushes, DrainTimeout,
            "every service's SQLite file write-locked (BEGIN EXCLUSIVE) by the test process for 60 s from 4 s");
        figures.Record();
        figures.AssertNothingLostOrDuplicated();
    }

    [Test, Order(4)]
    public async Task A_consumer_that_fails_right_after_its_commit_still_announces_once()
    {
        // ScanRouter fails after storing each push, Findings after storing each scan: the redelivery finds the work done
        // and the events already in the outbox.
        await _platform["ScanRouter"].RestartAsync(new Dictionary<string, string?> { ["Testing__ThrowAfterCommit__0"] = "ImagePushedConsumer" });
        await _platform["Findings"].RestartAsync(new Dictionary<string, string?> { ["Testing__ThrowAfterCommit__0"] = "ImageScannedConsumer" });
        try
        {
            var pushes = await _platform.PushDuringAsync("rel/after-commit", count: 20, perSecond: 5);
            var figures = await _platform.DrainAsync("throw after commit", pushes, DrainTimeout,
                "ScanRouter's ImagePushedConsumer and Findings' ImageScannedConsumer throw once per message right after committing");
            figures.Record();
            figures.AssertNothingLostOrDuplicated();
            Assert.Multiple(() =>
            {
                Assert.That(InjectedFaults("ScanRouter", "ImagePushedConsumer"), Is.GreaterThanOrEqualTo(20), "the hook did not fire for every push");
                Assert.That(InjectedFaults("Findings", "ImageScannedConsumer"), Is.GreaterThanOrEqualTo(20), "the hook did not fire for every scan");
            });
        }
        finally
        {
            await _platform["ScanRouter"].RestartAsync(new Dictionary<string, string?> { ["Testing__ThrowAfterCommit__0"] = null });
            await _platform["Findings"].RestartAsync(new Dictionary<string, string?> { ["Testing__ThrowAfterCommit__0"] = null });
        }
    }

    [Test, Order(5)]
    public async Task A_message_that_always_fails_ends_FAILED_with_its_reason_and_replays_from_its_error_queue()
    {
        var poisoned = (await _platform.PushDuringAsync(FaultPlatform.PoisonRepository, count: 1, perSecond: 1)).Images[0];

        var failed = await Waits.ForAsync(() => _platform.Ledger.Snapshot().TryGetValue(poisoned.Digest, out var seen) && seen.Status == "FAILED",
            TimeSpan.FromMinutes(2));
        Assert.That(failed, Is.True, "no FAILED scan event for the poisoned image");
        using (var findings = await _platform.Api.GetAsync($"/api/v1/registries/local/findings/{poisoned.Repository}@{poisoned.Digest}"))
        {
            var body = JsonNode.Parse(await findings.Content.ReadAsStringAsync())!;
            Assert.Multiple(() =>
            {
                Assert.That((string?)body["imageScanStatus"]?["status"], Is.EqualTo("FAILED"));
                Assert.That((string?)body["imageScanStatus"]?["description"], Does.Contain("Injected failure"), "the user sees why");
            });
        }

        var parked = await Waits.ForAsync(async () => await _platform.ErrorQueueMessagesAsync() >= 1, TimeSpan.FromSeconds(30));
        Assert.That(parked, Is.True, "the failed ScanImage is not in basic-scanner_error");
        using (var listed = await _platform.AdminAsync(HttpMethod.Get, "/api/v1/admin/dead-letters"))
        {
            var text = await listed.Content.ReadAsStringAsync();
            Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(text, Does.Contain("basic-scanner_error"));
        }

        // The cause is gone (a scanner without the fault); the replay moves the message back and the scan completes.
        await _platform["BasicScanner"].RestartAsync(new Dictionary<string, string?> { ["Testing__FailScansOfRepository"] = null });
        using (var replay = await _platform.AdminAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", """{"queue":"basic-scanner_error"}"""))
        {
            var text = await replay.Content.ReadAsStringAsync();
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That((int?)JsonNode.Parse(text)?["replayed"], Is.GreaterThanOrEqualTo(1), text);
        }
        var completed = await Waits.ForAsync(async () => await _platform.ApiStatusAsync(poisoned) == "COMPLETE"
            && _platform.Ledger.Snapshot()[poisoned.Digest].Status == "COMPLETE", TimeSpan.FromMinutes(2));
        var seen = _platform.Ledger.Snapshot()[poisoned.Digest];
        Assert.That(completed, Is.True, $"the replayed scan did not complete: API {await _platform.ApiStatusAsync(poisoned)}, subscriber {seen.Status}");
        // A consumer downstream of the result that failed would park its message only after its quick retries (2.6 s); and the
        // broker's queue counts lag by its statistics interval (5 s): the replayed message may still be counted for a moment.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await Waits.ForAsync(async () => (await _platform.ParkedMessagesAsync()).Count == 0, TimeSpan.FromSeconds(15));
        var parkedAfter = await _platform.ParkedMessagesAsync();
        Assert.Multiple(() =>
        {
            Assert.That(seen.ScanEventIds, Has.Count.EqualTo(2), "FAILED, then COMPLETE, each under its own event id");
            Assert.That(parkedAfter, Is.Empty, "messages left in _error queues");
        });
    }

    [Test, Order(6)]
    public async Task A_scan_that_kills_its_scanner_every_time_ends_FAILED_after_its_attempts_and_nothing_loops()
    {
        // What an image that runs the scanner out of memory does: the process dies mid-scan, every time. A supervisor (here the
        // test) starts it again; the scanner counts the unfinished attempts per scan id and gives up with a reason.
        var crashing = (await _platform.PushDuringAsync(FaultPlatform.CrashRepository, count: 1, perSecond: 1)).Images[0];
        var scanner = _platform["BasicScanner"];
        var restarts = 0;
        var failed = await Waits.ForAsync(async () =>
        {
            if (scanner.HasExited)
            {
                restarts++;
                try { await scanner.RestartAsync(); }
                catch (InvalidOperationException) { } // it died again before it was ready: the next poll starts it again
            }
            return _platform.Ledger.Snapshot().TryGetValue(crashing.Digest, out var seen) && seen.Status == "FAILED";
        }, TimeSpan.FromMinutes(3));
        if (scanner.HasExited) await scanner.RestartAsync();

        Assert.That(failed, Is.True, $"no FAILED scan event after {restarts} scanner restarts");
        using var findings = await _platform.Api.GetAsync($"/api/v1/registries/local/findings/{crashing.Repository}@{crashing.Digest}");
        var body = JsonNode.Parse(await findings.Content.ReadAsStringAsync())!;
        await Waits.ForAsync(async () => (await _platform.ParkedMessagesAsync()).Count == 0, TimeSpan.FromSeconds(15));
        var parked = await _platform.ParkedMessagesAsync();
        Assert.Multiple(() =>
        {
            Assert.That(restarts, Is.GreaterThanOrEqualTo(2), "the scanner died on the image more than once before it gave up");
            Assert.That((string?)body["imageScanStatus"]?["status"], Is.EqualTo("FAILED"));
            Assert.That((string?)body["imageScanStatus"]?["description"], Does.Contain("The scanner stopped").And.Contain("times"), "the user sees why");
            Assert.That(parked, Is.Empty, "the message ended as a recorded failure, not parked");
        });
        TestContext.Out.WriteLine($"Scanner restarts before the scan was recorded FAILED: {restarts}; reason: {body["imageScanStatus"]?["description"]}");
    }

    private int InjectedFaults(string service, string consumer) =>
        _platform[service].Output.Split('\n').Count(line => line.Contains($"Injected fault: {consumer} failed after committing", StringComparison.Ordinal));

    /// <summary>Write locks on every file, taken by this process (another process to the services) and held for <paramref name="duration"/>.</summary>
    private static async Task HoldWriteLocksAsync(IEnumerable<string> files, TimeSpan duration)
    {
        var locks = new List<SqliteConnection>();
        try
        {
            foreach (var file in files)
            {
                var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, DefaultTimeout = 60 }.ToString());
                await connection.OpenAsync();
                locks.Add(connection);
                using var begin = connection.CreateCommand();
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }
            TestContext.Out.WriteLine($"Holding write locks on {locks.Count} stores for {duration}.");
            await Task.Delay(duration);
        }
        finally
        {
            foreach (var connection in locks) await connection.DisposeAsync(); // rolls the open transaction back
        }
    }
}
