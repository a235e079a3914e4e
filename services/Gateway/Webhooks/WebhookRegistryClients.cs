using ImageScanning.ScanEngine.Images;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>
/// The scanners' registry clients (ScanEngine, configured registries only: section "Registries" with its Url and credentials), in a
/// container of their own, built when a notification first needs a registry: the Gateway shares its process with the scanners in
/// Standalone, which register the same clients, and a second registration in one container would list every registry twice.
/// </summary>
public sealed class WebhookRegistryClients(IConfiguration configuration, ILoggerFactory loggers) : IDisposable
{
    public const string Section = "Registries";

    private readonly Lazy<ServiceProvider> services = new(() => new ServiceCollection()
        .AddSingleton(configuration)
        .AddSingleton(loggers)
        .AddLogging()
        .AddRegistryClients(configuration.GetSection(Section))
        .BuildServiceProvider());

    private readonly Lazy<IReadOnlyList<RegistryOptions>> registries = new(() =>
        configuration.GetSection(Section).Get<List<RegistryOptions>>() ?? []);

    /// <summary>The registry as configured, or null.</summary>
    public RegistryOptions? Find(string name) => registries.Value.FirstOrDefault(r => r.Name == name);

    /// <summary>The registry's client; InvalidOperationException when the registries are misconfigured (a Url missing, say).</summary>
    public IRegistryClient For(string name) => services.Value.GetRequiredService<IRegistryClientFactory>().For(name);

    public void Dispose()
    {
        if (services.IsValueCreated) services.Value.Dispose();
    }
}
