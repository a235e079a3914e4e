using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests;
using ImageScanning.TestSupport;

namespace ImageScanning.Reliability.Tests;

/// <summary>
/// The platform under fault: each service its own process (or Standalone alone), a real docker-registry whose push
/// notifications reach the Gateway, a webhook subscriber for every scan and finding event, and the scanning rule
/// "rel/*" SCAN_ON_PUSH. Scenarios push distinct images, break something, and then ask <see cref="DrainAsync"/> whether every
/// image got exactly one scan result announced.
/// </summary>
public sealed class FaultPlatform : IAsyncDisposable
{
    public const string WebhookToken = "reliability-webhook-token";
    public const string ApiToken = "reliability-api-token";
    public const string AdminToken = "reliability-admin-token";
    public const string PoisonRepository = "rel/poison";
    public const string CrashRepository = "rel/crash";
    public static readonly string[] Services = ["Findings", "ScanRouter", "BasicScanner", "EnhancedScanner", "CveFeed", "Gateway"];

    private readonly List<PlatformProcess> _processes;
    private readonly string? _virtualHost;

    public RegistryServer Registry { get; }
    public WebhookReceiver Receiver { get; }
    public EventLedger Ledger { get; }
    public ScanLoad Load { get; }
    public RabbitMqCluster? Broker { get; }
    public string DataDirectory { get; }
    public HttpClient Api { get; }

    private FaultPlatform(RegistryServer registry, WebhookReceiver receiver, ScanLoad load, RabbitMqCluster? broker, string? virtualHost,
        string dataDirectory, List<PlatformProcess> processes)
    {
        Registry = registry;
        Receiver = receiver;
        Ledger = new EventLedger(receiver);
        Load = load;
        Broker = broker;
        _virtualHost = virtualHost;
        DataDirectory = dataDirectory;
        _processes = processes;
        Api = new HttpClient { BaseAddress = processes[^1].Url, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public PlatformProcess this[string service] => _processes.Single(p => p.Name == service);

    public string Logs => string.Join(Environment.NewLine, _processes.Select(p => $"===== {p.Name} ====={Environment.NewLine}{p.Output}"));

    /// <summary>Every service in its own process on <paramref name="broker"/> (connected to all its nodes), SQLite stores.</summary>
    public static Task<FaultPlatform> StartDistributedAsync(RabbitMqCluster broker) => StartAsync(broker);

    /// <summary>The single Standalone process: in-memory bus, SQLite stores.</summary>
    public static Task<FaultPlatform> StartStandaloneAsync() => StartAsync(broker: null);

    private static async Task<FaultPlatform> StartAsync(RabbitMqCluster? broker)
    {
        var load = await ScanLoad.CreateAsync();
        var receiver = await WebhookReceiver.StartAsync();
        var gatewayPort = PlatformProcess.FreePort();
        var registry = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Notifications = new RegistryNotificationEndpoint(new Uri($"http://127.0.0.1:{gatewayPort}/webhooks/distribution/local"))
            {
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + WebhookToken },
                // A Gateway that is down or slow is retried by the registry, as docker-registry does in production.
                Timeout = TimeSpan.FromSeconds(5),
                Backoff = TimeSpan.FromSeconds(1),
            },
        });
        var dataDirectory = Directory.CreateTempSubdirectory("imagescanning-reliability-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Registries__0__Name"] = "local",
            ["Registries__0__Url"] = registry.Url.ToString().TrimEnd('/'),
            ["Registries__0__WebhookToken"] = WebhookToken,
            ["Security__ApiTokens__0"] = ApiToken,
            ["Security__AdminTokens__0"] = AdminToken,
            ["Storage__DataDirectory"] = dataDirectory,
            // The ledger's subscriber listens on http://127.0.0.1: plain http and that loopback address must be allowed.
            ["Subscriptions__AllowHttp"] = "true",
            ["Outbound__AllowList__0"] = "127.0.0.1",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Testing__FailScansOfRepository"] = PoisonRepository,
            ["Testing__CrashScansOfRepository"] = CrashRepository,
        };
        string? virtualHost = null;
        var processes = new List<PlatformProcess>();
        try
        {
            if (broker is null)
            {
                environment["Messaging__Transport"] = "InMemory";
                processes.Add(await PlatformProcess.StartAsync("Standalone", environment, gatewayPort));
            }
            else
            {
                virtualHost = RabbitMqVirtualHosts.NewName("rel");
                await broker.CreateVirtualHostAsync(virtualHost);
                environment["Messaging__Transport"] = "RabbitMQ";
                environment["Messaging__RabbitMqHost"] = "127.0.0.1";
                environment["Security__AllowInsecureDefaults"] = "true"; // the local test broker's guest account: tests only
                environment["Messaging__RabbitMqPort"] = broker.AmqpPort(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
                environment["Messaging__RabbitMqVirtualHost"] = virtualHost;
                if (broker.Count > 1)
                    for (var i = 0; i < broker.Count; i++) environment[$"Messaging__RabbitMqNodes__{i}"] = broker.Endpoints[i];
                foreach (var service in Services)
                    processes.Add(await PlatformProcess.StartAsync(service, environment, service == "Gateway" ? gatewayPort : null));
            }
            var platform = new FaultPlatform(registry, receiver, load, broker, virtualHost, dataDirectory, processes);
            await platform.ConfigureAsync();
            return platform;
        }
        catch
        {
            foreach (var process in processes) await process.DisposeAsync();
            await registry.DisposeAsync();
            await receiver.DisposeAsync();
            throw;
        }
    }

    /// <summary>Advisories into CveFeed, the scanning rule, and one subscription for every event.</summary>
    private async Task ConfigureAsync()
    {
        using var feed = new HttpClient { BaseAddress = (_processes.SingleOrDefault(p => p.Name == "CveFeed") ?? _processes[0]).Url };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var zip = new ByteArrayContent(Load.AdvisoriesZip());
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        await Expect(await feed.PostAsync("/api/v1/advisories", zip), HttpStatusCode.OK);
        await Expect(await Api.PutAsync("/api/v1/registries/local/scanning-configuration", Json(
            """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"rel/*","filterType":"WILDCARD"}]}]}""")),
            HttpStatusCode.OK);
        await Expect(await Api.PostAsync("/api/v1/subscriptions", Json(new JsonObject
        {
            ["targetUrl"] = new Uri(Receiver.Url, "events").ToString(),
            ["description"] = "reliability ledger",
            ["eventPattern"] = JsonNode.Parse("""{"source":["aws.ecr","aws.inspector2"]}"""),
        }.ToJsonString())), HttpStatusCode.Created);
    }

    /// <summary>
    /// Pushes <paramref name="count"/> distinct images to <paramref name="repository"/> at <paramref name="perSecond"/> (at most
    /// <paramref name="concurrency"/> at a time), while <paramref name="faults"/> runs beside them (it gets the time since the first push).
    /// </summary>
    public async Task<Pushes> PushDuringAsync(string repository, int count, double perSecond, Func<Stopwatch, Task>? faults = null, int concurrency = 1)
    {
        var clock = Stopwatch.StartNew();
        var faultRun = faults is null ? Task.CompletedTask : Task.Run(() => faults(clock));
        var images = new PushedImage[count];
        using var slots = new SemaphoreSlim(concurrency);
        var pushes = new List<Task>(count);
        for (var n = 0; n < count; n++)
        {
            var due = TimeSpan.FromSeconds(n / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
            await slots.WaitAsync();
            var number = n;
            pushes.Add(Task.Run(async () =>
            {
                try { images[number] = await Load.PushAsync(Registry, repository, number); }
                finally { slots.Release(); }
            }));
        }
        await Task.WhenAll(pushes);
        var pushedIn = clock.Elapsed;
        await faultRun;
        return new Pushes(images, pushedIn, DateTime.UtcNow);
    }

    /// <summary>
    /// Waits until the subscriber holds a final scan event for every image, or <paramref name="timeout"/> passes, then reads each
    /// image's status from the API as well. The figures count what was lost or announced twice.
    /// </summary>
    public async Task<ScenarioFigures> DrainAsync(string scenario, Pushes pushes, TimeSpan timeout, string faults)
    {
        var digests = pushes.Images.Select(i => i.Digest).ToHashSet(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        var drainedAt = DateTime.UtcNow;
        while (true)
        {
            var seen = Ledger.Snapshot();
            // Done when every image's scan is announced and, for a COMPLETE one, each of its findings too: the finding events may
            // come later than the scan's (a webhook delivery claimed by a process that was then killed waits out its lease).
            var done = digests.Count(d => seen.TryGetValue(d, out var image)
                && (image.Status == "FAILED" || (image.Status == "COMPLETE" && image.FindingEventIds.Count >= image.Vulnerabilities)));
            if (done == digests.Count) { drainedAt = DateTime.UtcNow; break; }
            if (DateTime.UtcNow - started > timeout) break;
            await Task.Delay(500);
        }
        // Copies still in flight (redeliveries of what already arrived) get a moment to arrive and be counted as duplicates.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var observed = Ledger.Snapshot();
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in pushes.Images) statuses[image.Digest] = await ApiStatusAsync(image);

        var ofImages = pushes.Images.Select(i => observed.TryGetValue(i.Digest, out var o) ? o : new ObservedImage(i.Digest)).ToList();
        return new ScenarioFigures(
            scenario, faults, pushes.Images.Count,
            Complete: statuses.Values.Count(s => s == "COMPLETE"),
            Lost: ofImages.Count(o => o.ScanEventIds.Count == 0 || statuses[o.Digest] != "COMPLETE"),
            DuplicatedScanEvents: ofImages.Sum(o => Math.Max(0, o.ScanEventIds.Count - 1)),
            DuplicatedFindingEvents: ofImages.Sum(o => o.FindingEventIds.Values.Sum(ids => ids.Count - 1)),
            FindingEvents: ofImages.Sum(o => o.FindingEventIds.Count),
            ImagesWithoutFindingEvents: ofImages.Count(o => o.FindingEventIds.Count == 0 || o.FindingEventIds.Count != o.Vulnerabilities),
            RedeliveredCopies: ofImages.Sum(o => o.ScanDeliveries - o.ScanEventIds.Count + o.FindingDeliveries - o.FindingEventIds.Values.Sum(ids => ids.Count)),
            PushedIn: pushes.PushedIn,
            DrainAfterLastPush: drainedAt - pushes.LastPushAt,
            Parked: await ParkedMessagesAsync(),
            NotComplete: statuses.Where(s => s.Value != "COMPLETE").Select(s => $"{s.Key[..19]} {s.Value}").Take(10).ToList());
    }

    /// <summary>The image's scan status as the API reports it ("none" before any result).</summary>
    public async Task<string> ApiStatusAsync(PushedImage image)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await Api.GetAsync($"/api/v1/registries/local/findings/{image.Repository}@{image.Digest}");
                if (response.StatusCode == HttpStatusCode.NotFound) return "none";
                var body = await response.Content.ReadFromJsonAsync<JsonObject>();
                return (string?)body?["imageScanStatus"]?["status"] ?? "none";
            }
            // A Gateway being restarted refuses the connection; one whose bus is still reconnecting after a broker outage may let
            // its first request to Findings run into the 30 s timeout. A user asks again; so does the ledger, a few times.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 5)
            {
                TestContext.Out.WriteLine($"The findings API did not answer for {image.Digest[..19]} ({e.GetType().Name}); asking again.");
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>The platform's _error queues that hold messages, read from the broker itself (none on the in-memory bus).</summary>
    public async Task<IReadOnlyDictionary<string, long>> ParkedMessagesAsync()
    {
        if (Broker is null || _virtualHost is null) return new Dictionary<string, long>();
        var depths = await Broker.QueueDepthsAsync(_virtualHost);
        return depths.Where(q => q.Key.EndsWith("_error", StringComparison.Ordinal) && q.Value > 0).ToDictionary(q => q.Key, q => q.Value);
    }

    public async Task<long> ErrorQueueMessagesAsync() => (await ParkedMessagesAsync()).Values.Sum();

    /// <summary>Every process's output, written next to the test results (kept for a failed CI run).</summary>
    public void SaveLogs(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "reliability-logs", name + ".log");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Logs);
        TestContext.Out.WriteLine($"Service logs: {path}");
    }

    public async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Api.BaseAddress!, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (json is not null) request.Content = Json(json);
        return await Api.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        foreach (var process in _processes) await process.DisposeAsync();
        await Registry.DisposeAsync();
        await Receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

public sealed record Pushes(IReadOnlyList<PushedImage> Images, TimeSpan PushedIn, DateTime LastPushAt);
