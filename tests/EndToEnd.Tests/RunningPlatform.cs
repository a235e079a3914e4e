using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>The platform under test: its processes and the URLs tests talk to.</summary>
public sealed class RunningPlatform(Uri gateway, Uri cveFeed, IReadOnlyList<PlatformProcess> processes, string? ownedVirtualHost = null) : IAsyncDisposable
{
    public Uri GatewayUrl { get; } = gateway;
    public Uri CveFeedUrl { get; } = cveFeed;

    /// <summary>The URL of one process by service name ("Findings", or "Standalone" for the single process).</summary>
    public Uri UrlOf(string service) => processes.Single(p => p.Name == service).Url;

    public string Logs => string.Join(Environment.NewLine, processes.Select(p => $"===== {p.Name} ====={Environment.NewLine}{p.Output}"));

    /// <summary>
    /// Settings shared by every process, as environment variables (the way a deployment configures them). The tests' one API token
    /// reads, writes and scrapes /metrics (Security:Tokens' scopes).
    /// </summary>
    public static Dictionary<string, string> CommonEnvironment(Uri registryUrl, string webhookToken, string apiToken, string dataDirectory) => new()
    {
        ["Registries__0__Name"] = "local",
        ["Registries__0__Url"] = registryUrl.ToString().TrimEnd('/'),
        ["Registries__0__WebhookToken"] = webhookToken,
        ["Security__Tokens__0__Name"] = "tests",
        ["Security__Tokens__0__Token"] = apiToken,
        ["Security__Tokens__0__Scopes__0"] = "read",
        ["Security__Tokens__0__Scopes__1"] = "write",
        ["Security__Tokens__0__Scopes__2"] = "metrics",
        ["Storage__DataDirectory"] = dataDirectory,
        // The test subscribers listen on http://127.0.0.1: plain http and that loopback address must be allowed.
        ["Subscriptions__AllowHttp"] = "true",
        ["Outbound__AllowList__0"] = "127.0.0.1",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
    };

    public static async Task<RunningPlatform> StartStandaloneAsync(int gatewayPort, Dictionary<string, string> environment)
    {
        environment["Messaging__Transport"] = "InMemory";
        var process = await PlatformProcess.StartAsync("Standalone", environment, gatewayPort);
        return new RunningPlatform(process.Url, process.Url, [process]);
    }

    /// <summary>Every service in its own process on RabbitMQ; MongoDB where MONGODB_URI is set, else each service's SQLite file.</summary>
    public static async Task<RunningPlatform> StartDistributedAsync(int gatewayPort, Dictionary<string, string> environment)
    {
        environment["Messaging__Transport"] = "RabbitMQ";
        environment["Messaging__RabbitMqHost"] = Environment.GetEnvironmentVariable("RABBITMQ_HOST") ?? "127.0.0.1";
        environment["Security__AllowInsecureDefaults"] = "true"; // the local test broker's guest account: tests only
        string? ownedVirtualHost = null;
        if (!environment.ContainsKey("Messaging__RabbitMqVirtualHost"))
        {
            ownedVirtualHost = RabbitMqVirtualHosts.NewName("e2e");
            await RabbitMqVirtualHosts.CreateAsync(ownedVirtualHost);
            environment["Messaging__RabbitMqVirtualHost"] = ownedVirtualHost;
        }
        if (Environment.GetEnvironmentVariable("MONGODB_URI") is { Length: > 0 } mongo)
        {
            environment["Storage__Provider"] = "MongoDB";
            environment["Storage__MongoConnectionString"] = mongo;
            environment["Storage__MongoDatabasePrefix"] = $"e2e{Guid.NewGuid():N}"[..12] + "-";
        }

        var processes = new List<PlatformProcess>();
        try
        {
            foreach (var service in new[] { "Findings", "ScanRouter", "BasicScanner", "EnhancedScanner", "CveFeed" })
                processes.Add(await PlatformProcess.StartAsync(service, environment));
            processes.Add(await PlatformProcess.StartAsync("Gateway", environment, gatewayPort));
        }
        catch
        {
            foreach (var p in processes) await p.DisposeAsync();
            if (ownedVirtualHost is not null) await RabbitMqVirtualHosts.DeleteAsync(ownedVirtualHost);
            throw;
        }
        return new RunningPlatform(processes[^1].Url, processes.Single(p => p.Name == "CveFeed").Url, processes, ownedVirtualHost);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes) await process.DisposeAsync();
        if (ownedVirtualHost is not null) await RabbitMqVirtualHosts.DeleteAsync(ownedVirtualHost);
    }
}
