using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImageScanning.TestSupport;

/// <summary>One POST a <see cref="WebhookReceiver"/> received, with the exact body bytes (what a signature covers).</summary>
public sealed record ReceivedWebhook(string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredStatus)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A real HTTP subscriber on Kestrel (127.0.0.1): records every POST and answers with the status
/// <see cref="Respond"/> chooses (200 by default), so tests can make it fail, recover, or be down.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Url { get; }

    /// <summary>Status code for a request; the argument counts requests so far, starting at 1.</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    /// <summary>Every request, answered with 2xx or not, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests => _received.ToList();

    /// <summary>The requests answered with 2xx: what the subscriber accepted.</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => _received.Where(r => r.AnsweredStatus is >= 200 and < 300).ToList();

    public static async Task<WebhookReceiver> StartAsync(int? port = null)
    {
        var chosenPort = port ?? FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, chosenPort));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, chosenPort);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var status = receiver.Respond(receiver._received.Count + 1);
            receiver._received.Enqueue(new ReceivedWebhook(
                context.Request.Path, context.Request.ContentType,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                buffer.ToArray(), status));
            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests were accepted; fails the test on timeout.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAcceptedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Accepted.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        var accepted = Accepted;
        if (accepted.Count < count)
            NUnit.Framework.Assert.Fail($"Expected {count} accepted webhook(s) within {timeout}, got {accepted.Count} ({Requests.Count} requests).");
        return accepted;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
