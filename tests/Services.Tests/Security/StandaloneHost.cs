using System.Net.Http.Headers;
using System.Text;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.Services.Tests.Gateway;
using ImageScanning.Standalone.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.Security;

/// <summary>
/// The standalone platform exactly as services/Standalone composes it (AddAllServices, MapAllEndpoints: every service and every
/// route in one process) on a real Kestrel port, with one token per scope, registry "local" with its webhook token, two ECR
/// access keys (read only, write only), and every log entry captured.
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    public const string WebhookToken = "standalone-registry-webhook-token";
    public const string EcrReadKey = "AKIASCOPEREAD0000000";
    public const string EcrWriteKey = "AKIASCOPEWRITE000000";
    public const string EcrReadSecret = "ecr-scope-test-read-secret-access-key";
    public const string EcrWriteSecret = "ecr-scope-test-write-secret-access-key";

    private readonly WebApplication app;
    private readonly string directory;

    private StandaloneHost(WebApplication app, HttpClient client, CapturedLogs logs, string directory)
    {
        this.app = app;
        this.directory = directory;
        Client = client;
        Logs = logs;
    }

    /// <summary>The token that has exactly <paramref name="scope"/>.</summary>
    public static string TokenFor(string scope) => $"scope-test-{scope}-token";

    public HttpClient Client { get; }
    public CapturedLogs Logs { get; }
    public IServiceProvider Services => app.Services;

    /// <summary>Every route endpoint the process serves.</summary>
    public IReadOnlyList<RouteEndpoint> Endpoints =>
        app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();

    public static async Task<StandaloneHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("standalone-scopes-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = Path.Combine(directory, "data"),
            ["Messaging:Transport"] = "InMemory",
            ["Registries:0:Name"] = "local",
            ["Registries:0:Url"] = "http://127.0.0.1:9",
            ["Registries:0:WebhookToken"] = WebhookToken,
            ["Aws:AccessKeys:0:AccessKeyId"] = EcrReadKey,
            ["Aws:AccessKeys:0:SecretAccessKey"] = EcrReadSecret,
            ["Aws:AccessKeys:0:Scopes:0"] = TokenScopes.Read,
            ["Aws:AccessKeys:1:AccessKeyId"] = EcrWriteKey,
            ["Aws:AccessKeys:1:SecretAccessKey"] = EcrWriteSecret,
            ["Aws:AccessKeys:1:Scopes:0"] = TokenScopes.Write,
        };
        for (var i = 0; i < TokenScopes.All.Count; i++)
        {
            configuration[$"Security:Tokens:{i}:Name"] = TokenScopes.All[i] + "-only";
            configuration[$"Security:Tokens:{i}:Token"] = TokenFor(TokenScopes.All[i]);
            configuration[$"Security:Tokens:{i}:Scopes:0"] = TokenScopes.All[i];
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddAllServices();
        var app = builder.Build();
        app.MapAllEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StandaloneHost(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) }, logs, directory);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}
