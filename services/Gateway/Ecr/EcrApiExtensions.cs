using Microsoft.Extensions.DependencyInjection.Extensions;
using ImageScanning.Gateway.Aws.Signing;

namespace ImageScanning.Gateway.Ecr;

public static class EcrApiExtensions
{
    /// <summary>Registers the ECR-compatible API's registry ids, and the SigV4 verifier and replay cache the AWS APIs share (settings: <c>Aws</c>).</summary>
    public static IHostApplicationBuilder AddEcrApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EcrRegistries>();
        builder.Services.TryAddSingleton<SignatureReplayCache>();
        builder.Services.TryAddSingleton<SigV4Verifier>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
