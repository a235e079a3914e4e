using ImageScanning.TestSupport;

namespace ImageScanning.Reliability.Tests;

/// <summary>
/// R1b: the platform's only broker (its own one-node RabbitMQ, so no other test is disturbed) stopped for 3 minutes while
/// images are pushed. The Gateway keeps every notification it accepted in its outbox (or refuses with a 5xx the registry
/// retries); the services wait the outage out and everything is scanned and announced once after the broker returns.
/// </summary>
[TestFixture]
public sealed class BrokerOutageTests
{
    private RabbitMqCluster _broker = null!;
    private FaultPlatform _platform = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _broker = await RabbitMqCluster.StartAsync(1);
        _platform = await FaultPlatform.StartDistributedAsync(_broker);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _platform?.SaveLogs(GetType().Name);
        if (_platform is not null) await _platform.DisposeAsync();
        if (_broker is not null) await _broker.DisposeAsync();
    }

    [Test]
    public async Task R1b_the_only_broker_stopped_for_3_minutes_during_pushes_loses_nothing()
    {
        var pushes = await _platform.PushDuringAsync("rel/r1b", count: 100, perSecond: 0.5, async clock =>
        {
            await Waits.Until(clock, TimeSpan.FromSeconds(10));
            await _broker.StopNodeAsync(0);
            await Waits.Until(clock, TimeSpan.FromSeconds(190));
            await _broker.StartNodeAsync(0);
        });

        var figures = await _platform.DrainAsync("R1b", pushes, TimeSpan.FromMinutes(4), "the only RabbitMQ node stopped from 10 s to 190 s");
        figures.Record();
        figures.AssertNothingLostOrDuplicated();
    }
}
