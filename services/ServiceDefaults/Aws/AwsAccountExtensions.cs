using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageScanning.ServiceDefaults.Aws;

public static class AwsAccountExtensions
{
    /// <summary>Settings that once lived elsewhere and now belong to <c>Aws</c>: naming them is a start-up error, not a silent default.</summary>
    private static readonly (string Old, string New)[] MovedSettings =
    [
        ("Ecr:AccountId", "Aws:AccountId"), ("Ecr:Region", "Aws:Region"), ("Ecr:DefaultRegistry", "Aws:DefaultRegistry"),
        ("Ecr:Registries", "Aws:Registries"), ("Ecr:AccessKeys", "Aws:AccessKeys"), ("Ecr:MaxClockSkew", "Aws:MaxClockSkew"),
        ("EventBridge:Account", "Aws:AccountId"), ("EventBridge:Region", "Aws:Region"),
    ];

    /// <summary>Binds <see cref="AwsOptions"/> (validated at start) and registers the <see cref="AwsAccount"/> built from it.</summary>
    public static IHostApplicationBuilder AddAwsAccount(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(AwsAccount))) return builder; // every service's defaults and the services that need it
        var moved = MovedSettings.Where(s => builder.Configuration.GetSection(s.Old).Exists()).ToList();
        if (moved.Count > 0)
            throw new InvalidOperationException("These settings moved: " +
                string.Join("; ", moved.Select(s => $"{s.Old} is now {s.New}")) + ". One account id and region serve ECR, Inspector2 and EventBridge.");
        builder.Services.AddOptions<AwsOptions>().BindConfiguration(AwsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>();
        builder.Services.AddSingleton<AwsAccount>();
        return builder;
    }

    private sealed class AwsOptionsValidator : IValidateOptions<AwsOptions>
    {
        public ValidateOptionsResult Validate(string? name, AwsOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
