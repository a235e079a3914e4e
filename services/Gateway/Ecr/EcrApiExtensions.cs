using Microsoft.Extensions.DependencyInjection.Extensions;
using ImageScanning.Gateway.Ecr.Signing;

namespace ImageScanning.Gateway.Ecr;

public static class EcrApiExtensions
{
    /// <summary>Registers the ECR-compatible API's settings (section <c>Ecr</c>), its SigV4 verifier and replay cache.</summary>
    public static IHostApplicationBuilder AddEcrApi(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<EcrOptions>(builder.Configuration.GetSection(EcrOptions.Section));
        builder.Services.AddSingleton<EcrRegistries>();
        builder.Services.AddSingleton<SignatureReplayCache>();
        builder.Services.AddSingleton<SigV4Verifier>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
