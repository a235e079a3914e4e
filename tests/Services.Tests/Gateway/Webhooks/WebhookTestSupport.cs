using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>Every ImagePushed and ImagePulled the hosted Gateway published, whole, as a consumer on its bus received it.</summary>
public sealed class CapturedImageEvents
{
    public ConcurrentQueue<ImagePushed> Pushes { get; } = new();
    public ConcurrentQueue<ImagePulled> Pulls { get; } = new();
}

public sealed class ImageEventCapture(CapturedImageEvents captured) : IConsumer<ImagePushed>, IConsumer<ImagePulled>
{
    public Task Consume(ConsumeContext<ImagePushed> context)
    {
        captured.Pushes.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ImagePulled> context)
    {
        captured.Pulls.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>The Gateway's answer to one notification: status and JSON body.</summary>
public sealed record WebhookAnswer(HttpStatusCode Status, JsonElement Body)
{
    public int Accepted => Body.GetProperty("accepted").GetInt32();

    public IReadOnlyList<(string? EventId, string Outcome, string? Reason)> Events =>
        Body.GetProperty("events").EnumerateArray().Select(e => (
            e.GetProperty("eventId").GetString(), e.GetProperty("outcome").GetString()!, e.GetProperty("reason").GetString())).ToList();

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>
/// A real docker-registry with one small image built by umoci (pushed wherever a test names), and a Gateway whose registry "local"
/// is that registry (Url, so tag-only pushes are looked up in it), with a webhook token and secret, capturing the events it publishes.
/// </summary>
public sealed class WebhookTestRegistry : IAsyncDisposable
{
    public const string Secret = "registry-webhook-signing-secret";

    private readonly string work;
    private readonly OciLayoutImage image;

    private WebhookTestRegistry(RegistryServer registry, string work, OciLayoutImage image)
    {
        Registry = registry;
        this.work = work;
        this.image = image;
    }

    public RegistryServer Registry { get; }

    public static async Task<WebhookTestRegistry> StartAsync()
    {
        var registry = await RegistryServer.StartAsync();
        var work = Directory.CreateTempSubdirectory("gateway-webhook-image-").FullName;
        var image = await TestImages.Builder().Layer(root => root.WriteFile("etc/webhook-test", Guid.NewGuid().ToString())).BuildAsync("v1", work);
        return new WebhookTestRegistry(registry, work, image);
    }

    /// <summary>Pushes the image with skopeo; the digest is the manifest's as the registry stores it.</summary>
    public Task<PushedImage> PushAsync(string repository, string tag, ManifestFormat format = ManifestFormat.Oci) =>
        TestImages.PushAsync(image, Registry, repository, tag, format);

    /// <summary>A Gateway on <paramref name="directory"/> whose registry "local" is this registry.</summary>
    public Task<GatewayHost> StartGatewayAsync(string directory, IDictionary<string, string?>? settings = null, CapturedLogs? logs = null) =>
        GatewayHost.StartAsync(directory, Settings(Registry.Url.ToString().TrimEnd('/'), settings), Capture, logs);

    /// <summary>A Gateway whose registry "local" has no Url (payload events that name everything need none).</summary>
    public static Task<GatewayHost> StartGatewayWithoutRegistryAsync(string directory, IDictionary<string, string?>? settings = null) =>
        GatewayHost.StartAsync(directory, Settings(null, settings), Capture);

    private static Dictionary<string, string?> Settings(string? url, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?> { ["Registries:0:WebhookSecret"] = Secret };
        if (url is not null) settings["Registries:0:Url"] = url;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    private static void Capture(IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<CapturedImageEvents>();
        bus.AddConsumer<ImageEventCapture>();
    }

    public async ValueTask DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }
}

public static partial class WebhookRequests
{
    /// <summary>Posts a body to a webhook path with the given headers (an Authorization value is sent verbatim).</summary>
    public static async Task<WebhookAnswer> PostAsync(this GatewayHost gateway, string path, string body,
        IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new WebhookAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static CapturedImageEvents Captured(this GatewayHost gateway) => gateway.Services.GetRequiredService<CapturedImageEvents>();

    /// <summary>Waits until <paramref name="count"/> pushes were published (and a little longer for any extra), then returns them.</summary>
    public static async Task<List<ImagePushed>> WaitForPushesAsync(this GatewayHost gateway, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (gateway.Captured().Pushes.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(300);
        return gateway.Captured().Pushes.ToList();
    }

    /// <summary>The message ids in the Gateway's outbox.</summary>
    public static async Task<List<Guid>> OutboxIdsAsync(string directory) =>
        (await GatewayHost.OutboxRowsAsync(directory)).Select(r => r.Id).ToList();

    public static Guid PushIdOf(string deliveryId) => WebhookEventStore.MessageIdOf(nameof(ImagePushed), "local", deliveryId);

    /// <summary>
    /// A Harbor docs sample as JSON: the published CloudEvents samples carry // comments and one lacks a comma between two
    /// members (PROVENANCE.md: "NOT valid JSON as published"); Harbor itself sends plain JSON.
    /// </summary>
    public static string RepairedJsonc(string text)
    {
        var withoutComments = LineComment().Replace(text, "");
        return MissingComma().Replace(withoutComments, "\"$1\",\n$2\"");
    }

    [GeneratedRegex(@"^\s*//.*$\n?", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex("\"([^\"\\n]*)\"\\s*\\n(\\s*)\"(?=[a-z_]+\"\\s*:)")]
    private static partial Regex MissingComma();

    public static void DeleteDirectory(string directory)
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
