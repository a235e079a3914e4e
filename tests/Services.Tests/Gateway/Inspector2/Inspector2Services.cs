using System.Text;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Inspector2;
using ImageScanning.Gateway.Inspector2.SbomExports;
using ImageScanning.ServiceDefaults.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>
/// What an Inspector2 operation resolves (account, registries, SBOM export settings and queue), and no bus: an operation that
/// asked a service instead of refusing a request fails the test differently.
/// </summary>
internal static class Inspector2Services
{
    public const string AccountId = "123456789012";

    public static ServiceProvider Create(Action<IServiceCollection>? more = null, params SbomExportDestination[] buckets)
    {
        var aws = new AwsOptions { AccountId = AccountId, Region = "us-west-2" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = "local",
            ["Registries:0:Url"] = "http://127.0.0.1:5000",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton(Options.Create(aws))
            .AddSingleton(new AwsAccount(aws))
            .AddSingleton(new EcrRegistries(configuration, Options.Create(aws)))
            .AddSingleton(Options.Create(new Inspector2Options { SbomExports = [.. buckets] }))
            .AddSingleton<SbomExportQueue>();
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static Inspector2Call Call(IServiceProvider services, string body) =>
        new(Inspector2Request.Parse(Encoding.UTF8.GetBytes(body)), services, CancellationToken.None);

    /// <summary>The ValidationException (or other Inspector2 error) the operation answers, with the field it names.</summary>
    public static Inspector2Exception ErrorOf(IServiceProvider services, Inspector2Endpoint.Operation operation, string body) =>
        Assert.ThrowsAsync<Inspector2Exception>(() => operation(Call(services, body)))!;
}
