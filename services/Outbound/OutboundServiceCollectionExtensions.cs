using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageScanning.Outbound;

public static class OutboundServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="OutboundOptions"/> from the "Outbound" section and the <see cref="OutboundAddressPolicy"/> built from them.
    /// Bound through the provider's IConfiguration when there is one: the imagescan CLI and library tests build a bare
    /// ServiceCollection without it and configure the options in code.
    /// </summary>
    public static IServiceCollection AddOutboundAddressPolicy(this IServiceCollection services)
    {
        // Once per container: Standalone hosts the registry clients and the webhook dispatcher together, and binding twice
        // would list every entry twice.
        if (services.Any(d => d.ServiceType == typeof(OutboundAddressPolicy))) return services;
        services.AddOptions<OutboundOptions>()
            .Configure<IServiceProvider>((options, provider) => provider.GetService<IConfiguration>()?.GetSection(OutboundOptions.SectionName).Bind(options));
        services.AddSingleton(provider => new OutboundAddressPolicy(provider.GetRequiredService<IOptions<OutboundOptions>>().Value));
        return services;
    }
}
