using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>Every registry event the hosted Gateway published, as a consumer on its bus received it (bus message id, event).</summary>
public sealed class RegistryEventLog
{
    public ConcurrentQueue<(Guid MessageId, string DeliveryId)> Received { get; } = new();
}

public sealed class RegistryEventRecorder(RegistryEventLog log) : IConsumer<ImagePushed>, IConsumer<ImagePulled>
{
    public Task Consume(ConsumeContext<ImagePushed> context)
    {
        log.Received.Enqueue((context.MessageId ?? Guid.Empty, context.Message.DeliveryId));
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ImagePulled> context)
    {
        log.Received.Enqueue((context.MessageId ?? Guid.Empty, context.Message.DeliveryId));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The Gateway wired as its Program.cs does (service defaults, Gateway, a bus) on a real Kestrel port, its SQLite store in a
/// given directory, registry "local" configured, one API token and one admin token, and a consumer recording registry events.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string ApiToken = "gateway-api-token";
    public const string AdminToken = "gateway-admin-token";
    public const string WebhookToken = "registry-webhook-token";

    private readonly WebApplication app;

    private GatewayHost(WebApplication app, HttpClient client)
    {
        this.app = app;
        Client = client;
    }

    /// <summary>A client with no credentials: tests add the ones they mean.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    public RegistryEventLog Events => app.Services.GetRequiredService<RegistryEventLog>();

    public static string GatewayDatabase(string dataDirectory) => Path.Combine(dataDirectory, "data", GatewayExtensions.DatabaseName + ".db");

    /// <summary>Settings for a RabbitMQ virtual host on the local broker.</summary>
    public static Dictionary<string, string?> RabbitMq(string virtualHost) => new()
    {
        ["Messaging:Transport"] = "RabbitMQ",
        ["Messaging:RabbitMqHost"] = "127.0.0.1",
        ["Messaging:RabbitMqVirtualHost"] = virtualHost,
        // The local test broker's guest account: allowed for tests only.
        ["Security:AllowInsecureDefaults"] = "true",
    };

    /// <param name="logs">Where the Gateway logs go (at Information and above); by default nowhere.</param>
    public static async Task<GatewayHost> StartAsync(
        string dataDirectory, IDictionary<string, string?>? settings = null, Action<IBusRegistrationConfigurator>? consumers = null,
        ILoggerProvider? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(dataDirectory, "data"),
            ["Security:ApiTokens:0"] = ApiToken,
            ["Security:AdminTokens:0"] = AdminToken,
            ["Registries:0:Name"] = "local",
            ["Registries:0:WebhookToken"] = WebhookToken,
            ["Messaging:Transport"] = "InMemory",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults("gateway");
        builder.AddGateway();
        builder.Services.AddSingleton<RegistryEventLog>();
        builder.AddMessaging(x =>
        {
            x.AddConsumer<RegistryEventRecorder>();
            consumers?.Invoke(x);
        });
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGatewayEndpoints();
        await app.StartAsync();
        // The database file exists from here on (tests lock it, read its outbox).
        app.Services.GetRequiredKeyedService<IServiceDatabase>(GatewayExtensions.DatabaseName);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) });
    }

    /// <summary>A distribution notification with one manifest push (and a pull of it when asked), with fresh event ids.</summary>
    public static (string Body, string PushId, string? PullId) Notification(bool withPull = false)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var pushId = Guid.NewGuid().ToString();
        var pullId = withPull ? Guid.NewGuid().ToString() : null;
        string Event(string id, string action) => $$$"""
            {"id":"{{{id}}}","timestamp":"2026-11-28T02:29:12Z","action":"{{{action}}}",
             "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{digest}}}","repository":"demo/app","tag":"v1"},
             "request":{"useragent":"docker/27.0"}}
            """;
        var events = pullId is null ? Event(pushId, "push") : Event(pushId, "push") + "," + Event(pullId, "pull");
        return ($$"""{"events":[{{events}}]}""", pushId, pullId);
    }

    public const string NotificationMediaType = "application/vnd.docker.distribution.events.v2+json";

    public Task<HttpResponseMessage> PostNotificationAsync(string body) =>
        PostNotificationAsync(new StringContent(body, Encoding.UTF8, NotificationMediaType));

    /// <summary>Posts a notification as registry "local" does, with its webhook token; the content decides the transfer encoding.</summary>
    public async Task<HttpResponseMessage> PostNotificationAsync(HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/distribution/local") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebhookToken);
        if (content.Headers.ContentLength is null) request.Headers.TransferEncodingChunked = true;
        return await Client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Client.SendAsync(request);
    }

    /// <summary>Waits until at least <paramref name="count"/> events arrived, then a little longer for stragglers.</summary>
    public async Task<List<(Guid MessageId, string DeliveryId)>> WaitForEventsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Events.Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        await Task.Delay(500);
        return Events.Received.ToList();
    }

    /// <summary>(message id, dispatched) of every row of the Gateway's outbox.</summary>
    public static async Task<List<(Guid Id, bool Dispatched)>> OutboxRowsAsync(string dataDirectory)
    {
        await using var connection = new SqliteConnection($"Data Source={GatewayDatabase(dataDirectory)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id, dispatched_at IS NOT NULL FROM outbox_messages ORDER BY sequence";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(Guid, bool)>();
        while (await reader.ReadAsync()) rows.Add((Guid.Parse(reader.GetString(0)), reader.GetBoolean(1)));
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
