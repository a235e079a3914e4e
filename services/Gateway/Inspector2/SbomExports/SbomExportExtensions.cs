using ImageScanning.Outbound;

namespace ImageScanning.Gateway.Inspector2.SbomExports;

public static class SbomExportExtensions
{
    /// <summary>Inspector2's SBOM exports: the bucket settings, the reports and queue, the worker, and its outbound-policy HTTP client.</summary>
    public static IHostApplicationBuilder AddInspector2SbomExports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Inspector2Options>().BindConfiguration(Inspector2Options.Section)
            .Validate(o => o.Problem() is null, "Inspector2:SbomExports: each entry a BucketName (once) and exactly one of Directory and an absolute http(s) Url.")
            .ValidateOnStart();
        builder.Services.AddSingleton<SbomExportQueue>();
        builder.Services.AddHostedService<SbomExportWorker>();
        builder.Services.AddOutboundAddressPolicy();
        // A PUT reaches only the configured URL's host, at an address the policy allows; a redirect could point anywhere.
        builder.Services.AddHttpClient(SbomExportTarget.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var handler = OutboundConnector.CreateHandler(provider.GetRequiredService<OutboundAddressPolicy>());
                handler.AllowAutoRedirect = false;
                handler.UseCookies = false;
                return handler;
            });
        return builder;
    }
}
