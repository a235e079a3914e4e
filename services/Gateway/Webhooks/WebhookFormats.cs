using ImageScanning.Gateway.Webhooks.DockerHub;
using ImageScanning.Gateway.Webhooks.Distribution;
using ImageScanning.Gateway.Webhooks.EcrEventBridge;
using ImageScanning.Gateway.Webhooks.GitHub;
using ImageScanning.Gateway.Webhooks.Harbor;
using ImageScanning.Gateway.Webhooks.Quay;
using ImageScanning.Gateway.Webhooks.Zot;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>The webhook formats the Gateway reads, by the route's {format} segment.</summary>
public sealed class WebhookFormats(IEnumerable<IWebhookFormat> formats)
{
    private readonly Dictionary<string, IWebhookFormat> byName = formats.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public IWebhookFormat? Find(string name) => byName.GetValueOrDefault(name);

    public IEnumerable<string> Names => byName.Keys.Order(StringComparer.Ordinal);
}

public static class WebhookFormatRegistration
{
    /// <summary>The formats, and the resolver that completes tag-only pushes with the registry clients it asks (section "Registries").</summary>
    public static IHostApplicationBuilder AddWebhookFormats(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<IWebhookFormat, DistributionFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, HarborFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, QuayFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, GitHubPackagesFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, DockerHubFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, ZotFormat>(),
            ServiceDescriptor.Singleton<IWebhookFormat, EcrImageActionFormat>(),
        ]);
        builder.Services.AddSingleton<WebhookFormats>();
        builder.Services.AddSingleton<WebhookRegistryClients>();
        builder.Services.AddSingleton<RegistryImageResolver>();
        return builder;
    }
}
