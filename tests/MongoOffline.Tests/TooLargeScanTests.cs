using ImageScanning.ServiceDefaults.Aws;
using System.Security.Cryptography;
using ImageScanning.Contracts;
using ImageScanning.Findings;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.MongoOffline.Tests.Recording;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>
/// A scan whose result is too large for one MongoDB document even compressed: Findings records it FAILED with the size and the
/// limit, and announces that, instead of failing every redelivery into the error queue.
/// </summary>
public sealed class TooLargeScanTests
{
    [Test]
    public async Task A_result_over_the_document_limit_ends_as_a_failed_scan_that_names_the_limit()
    {
        var mongo = new RecordingMongo();
        var database = new MongoServiceDatabase(mongo.Database, FindingsExtensions.DatabaseName, clock: new FixedClock(T0));
        var lifecycleStore = new MongoFindingLifecycleStore(database);
        await using var provider = new ServiceCollection()
            .AddMetrics()
            .AddSingleton<TimeProvider>(new FixedClock(T0))
            .AddKeyedSingleton<IServiceDatabase>(FindingsExtensions.DatabaseName, database)
            .AddSingleton<IFindingsStore>(new MongoFindingsStore(database))
            .AddSingleton<IFindingLifecycleStore>(lifecycleStore)
            .AddSingleton(new FindingLifecycleService(lifecycleStore,
                new FindingArns(new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "eu-central-1" })), new FixedClock(T0)))
            .AddSingleton<FindingsMetrics>()
            .AddSingleton<ImageScannedHandler>()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<ImageScannedConsumer>();
                // Rendering 25,000 finding writes takes a few seconds: not inactivity.
                x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(2), testInactivityTimeout: TimeSpan.FromMinutes(1));
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        // 25,000 findings whose descriptions do not compress (random text): about 24 MB of JSON, some 18 MB after compression.
        var findings = Enumerable.Range(0, 25_000).Select(i => Finding($"CVE-2024-{i:D5}", FindingSeverity.HIGH, $"package-{i % 500}") with
        {
            Description = Convert.ToBase64String(RandomNumberGenerator.GetBytes(700)),
        }).ToArray();
        await harness.Bus.Publish(Scan(Image(), T0, findings));

        Assert.That(await harness.Consumed.Any<ImageScanned>(), Is.True);
        var consumed = harness.Consumed.Select<ImageScanned>().First();
        await harness.Stop();

        var scans = mongo.WrittenTo(MongoFindingsStore.ScansCollection);
        var outbox = mongo.WrittenTo(MongoOutboxStore.OutboxCollection).Select(d => d["messageType"].AsString).ToList();
        mongo.Reply(MongoFindingsStore.ScansCollection, scans[^1]);
        var stored = await new MongoFindingsStore(database).GetScanAsync(ScanId);
        Assert.Multiple(() =>
        {
            Assert.That(consumed.Exception, Is.Null, "the message is handled, not faulted into the error queue");
            Assert.That(stored?.Status, Is.EqualTo(ScanStatus.FAILED));
            Assert.That(stored?.StatusDescription, Does.Contain("25000 findings").And.Contain("16 MiB"));
            Assert.That(outbox, Is.EquivalentTo(new[] { typeof(ScanFailed).FullName, typeof(ScanCompleted).FullName }), "announced as failed, nothing else");
        });
    }
}
