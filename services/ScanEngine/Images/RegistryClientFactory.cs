using System.Collections.Concurrent;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScanEngine.Images;

/// <summary>The configured registries (configuration section "Registries").</summary>
public sealed class RegistriesOptions
{
    public List<RegistryOptions> Registries { get; set; } = [];
}

/// <summary>
/// Clients for the configured registries, and only those: a scan request names a registry, and a
/// name that is not configured fails as RegistryNotConfigured without any network traffic.
/// </summary>
internal sealed class RegistryClientFactory : IRegistryClientFactory
{
    public const string HttpClientName = "ImageScanning.Registry";

    private readonly Dictionary<string, (RegistryOptions Options, Uri BaseUri)> registries;
    private readonly ConcurrentDictionary<string, RegistryAuthenticator> authenticators = new(StringComparer.OrdinalIgnoreCase);
    private readonly IHttpClientFactory httpClients;
    private readonly RegistryHttpOptions httpOptions;
    private readonly BlobThroughputOptions throughput;
    private readonly ILoggerFactory loggers;
    private readonly TimeProvider time;

    public RegistryClientFactory(
        IOptions<RegistriesOptions> options, IOptions<RegistryHttpOptions> httpOptions, IOptions<BlobThroughputOptions> throughput,
        IHttpClientFactory httpClients, ILoggerFactory loggers, TimeProvider time)
    {
        registries = new(StringComparer.OrdinalIgnoreCase);
        foreach (var registry in options.Value.Registries)
        {
            if (string.IsNullOrWhiteSpace(registry.Name))
                throw new InvalidOperationException("A configured registry has no Name.");
            if (registries.ContainsKey(registry.Name))
                throw new InvalidOperationException($"Registry '{registry.Name}' is configured twice.");
            if (registry.Ecr?.Problem(registry.Name) is { } ecrProblem) throw new InvalidOperationException(ecrProblem);
            registries[registry.Name] = (registry, BaseUriOf(registry));
        }
        this.httpClients = httpClients;
        this.httpOptions = httpOptions.Value;
        this.throughput = throughput.Value;
        if (this.throughput.Problem() is { } problem) throw new InvalidOperationException(problem);
        this.loggers = loggers;
        this.time = time;
    }

    public IReadOnlyCollection<string> RegistryNames => registries.Keys;

    public IRegistryClient For(string registryName)
    {
        if (string.IsNullOrEmpty(registryName) || !registries.TryGetValue(registryName, out var entry))
            throw new ScanException(ScanFailureKind.RegistryNotConfigured,
                $"Registry '{Digests.Printable(registryName ?? "")}' is not configured; the scanner pulls only from the registries in its configuration.");
        var logger = loggers.CreateLogger<RegistryClient>();
        var auth = authenticators.GetOrAdd(entry.Options.Name, _ => new RegistryAuthenticator(entry.Options, entry.BaseUri, time, logger));
        return new RegistryClient(entry.Options, entry.BaseUri, httpClients.CreateClient(HttpClientName), auth, httpOptions, throughput, time, logger);
    }

    private static Uri BaseUriOf(RegistryOptions registry)
    {
        if (!Uri.TryCreate(registry.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidOperationException($"Registry '{registry.Name}' has Url '{registry.Url}', which is not an absolute http or https URL.");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new InvalidOperationException($"Registry '{registry.Name}' has credentials in its Url; set Username and Password instead.");
        // The API lives at <base>/v2/; keep any path prefix and make it end with '/'.
        var path = uri.AbsolutePath.EndsWith('/') ? uri.AbsolutePath : uri.AbsolutePath + "/";
        return new UriBuilder(uri.Scheme, uri.Host, uri.Port, path).Uri;
    }
}
