using ImageScanning.Outbound;
using ImageScanning.ScanEngine.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>The scanner's registry services as production wires them (AddRegistryClients from configuration), with short retry delays.</summary>
internal static class RegistryTestServices
{
    public static ServiceProvider Build(
        IEnumerable<RegistryOptions> registries, Action<RegistryHttpOptions>? configure = null, Action<BlobThroughputOptions>? throughput = null,
        IEnumerable<string>? allowList = null)
    {
        var settings = new Dictionary<string, string?>();
        var i = 0;
        foreach (var r in registries)
        {
            settings[$"Registries:{i}:Name"] = r.Name;
            settings[$"Registries:{i}:Url"] = r.Url;
            if (r.Username is not null) settings[$"Registries:{i}:Username"] = r.Username;
            if (r.Password is not null) settings[$"Registries:{i}:Password"] = r.Password;
            if (r.BearerToken is not null) settings[$"Registries:{i}:BearerToken"] = r.BearerToken;
            for (var h = 0; h < r.TokenRealmHosts.Count; h++) settings[$"Registries:{i}:TokenRealmHosts:{h}"] = r.TokenRealmHosts[h];
            i++;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRegistryClients(configuration.GetSection("Registries"), o =>
        {
            o.MaxRetryAttempts = 2;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(30);
            o.ConnectTimeout = TimeSpan.FromSeconds(2);
            configure?.Invoke(o);
        });
        if (throughput is not null) services.Configure(throughput);
        // The Outbound allow-list (no IConfiguration in this bare collection, so set in code as the CLI would).
        if (allowList is not null) services.Configure<OutboundOptions>(o => o.AllowList.AddRange(allowList));
        return services.BuildServiceProvider();
    }

    public static ServiceProvider Build(params RegistryOptions[] registries) => Build(registries, null);
}
