using System.Text;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>The production bus set-up (AddMessaging, AddOutbox) on the real RabbitMQ, in a virtual host of its own.</summary>
[NonParallelizable]
public sealed class RabbitMqDeliveryTests
{
    private const string Queue = "delivery-test";
    private static readonly string Host = Environment.GetEnvironmentVariable("RABBITMQ_HOST") ?? "127.0.0.1";
    private string _virtualHost = "";
    private string _directory = "";
    private readonly List<IHost> _hosts = [];

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("rabbit-delivery-").FullName;
        _virtualHost = RabbitMqVirtualHosts.NewName("delivery");
        await RabbitMqVirtualHosts.CreateAsync(_virtualHost);
        Received.Clear();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        _hosts.Clear();
        await RabbitMqVirtualHosts.DeleteAsync(_virtualHost);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<IHost> StartAsync(bool withConsumer, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataDirectory, DisableDefaults = true });
        builder.Configuration["Storage:DataDirectory"] = dataDirectory;
        builder.Configuration["Messaging:Transport"] = "RabbitMQ";
        builder.Configuration["Messaging:RabbitMqHost"] = Host;
        builder.Configuration["Security:AllowInsecureDefaults"] = "true"; // the local test broker's guest account
        builder.Configuration["Messaging:RabbitMqVirtualHost"] = _virtualHost;
        builder.Configuration["Outbox:RetryInterval"] = "00:00:00.500";
        builder.Configuration["Outbox:PollInterval"] = "00:00:00.200";
        builder.Services.AddMetrics();
        builder.AddOutbox("sender");
        builder.AddMessaging(bus =>
        {
            if (withConsumer) bus.AddConsumer<RecordingConsumer>().Endpoint(e => e.Name = Queue);
        });
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    private static ImagePulled Pulled(string id) => new(id, "local", "team/app", "sha256:" + new string('a', 64), DateTimeOffset.UtcNow);

    [Test]
    public async Task A_send_to_a_queue_nobody_declared_yet_waits_in_the_outbox_until_its_consumer_starts()
    {
        var sender = await StartAsync(withConsumer: false, Path.Combine(_directory, "sender"));
        var database = sender.Services.GetRequiredKeyedService<IServiceDatabase>("sender");
        await using (var work = await database.BeginAsync())
        {
            work.Send(Queue, Pulled("early"));
            await work.CommitAsync(CancellationToken.None);
        }
        await Task.Delay(1500);
        Assert.That((await database.Outbox.GetStatusAsync()).Pending, Is.EqualTo(1), "RabbitMQ returned the unroutable send; it was not dropped");

        await StartAsync(withConsumer: true, Path.Combine(_directory, "consumer"));
        for (var i = 0; i < 100 && Received.IsEmpty; i++) await Task.Delay(100);
        Assert.That(Received, Is.EqualTo(new[] { "early" }));
    }

    [Test]
    public async Task Every_queue_dead_letters_into_its_error_queue_once_the_delivery_limit_is_reached()
    {
        await StartAsync(withConsumer: true, Path.Combine(_directory, "consumer"));
        var queues = await ListQueuesAsync();
        Assert.That(queues, Does.Contain(Queue + "_error"), "the error queue exists before any failure, so nothing dead-lettered is dropped");
        await _hosts[0].StopAsync(); // no consumer: this test plays one that dies on every delivery

        var factory = new ConnectionFactory { HostName = Host, VirtualHost = _virtualHost, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicPublishAsync("", Queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("{\"poison\":true}"));

        var deliveries = 0;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var message = await channel.BasicGetAsync(Queue, autoAck: false);
            if (message is null)
            {
                if (await channel.MessageCountAsync(Queue + "_error") == 1) break;
                await Task.Delay(100);
                continue;
            }
            deliveries++;
            await channel.BasicRejectAsync(message.DeliveryTag, requeue: true); // as a consumer whose process died mid-message
        }
        Assert.That(deliveries, Is.EqualTo(new MessagingOptions().DeliveryLimit + 1), "delivered up to the limit, then no more");
        Assert.That(await channel.MessageCountAsync(Queue + "_error"), Is.EqualTo(1));
    }

    private async Task<IReadOnlyList<string>> ListQueuesAsync()
    {
        var result = await ProcessRunner.RunAsync("rabbitmqctl", ["list_queues", "-q", "-p", _virtualHost, "name"], TimeSpan.FromMinutes(1));
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l != "name").ToList();
    }

    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Received = new();

    public sealed class RecordingConsumer : IConsumer<ImagePulled>
    {
        public Task Consume(ConsumeContext<ImagePulled> context)
        {
            Received.Enqueue(context.Message.DeliveryId);
            return Task.CompletedTask;
        }
    }
}
