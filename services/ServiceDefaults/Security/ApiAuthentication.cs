using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageScanning.ServiceDefaults.Security;

/// <summary>Bearer API tokens from configuration (Security:ApiTokens). Tokens are compared in constant time and never logged.</summary>
public sealed class ApiTokenOptions : AuthenticationSchemeOptions
{
    public IReadOnlyList<string> Tokens { get; set; } = [];
}

public static class ApiAuthentication
{
    public const string Scheme = "ApiToken";
    public const string PolicyName = "api";

    public static IHostApplicationBuilder AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        var tokens = builder.Configuration.GetSection("Security:ApiTokens").Get<string[]>() ?? [];
        builder.Services.AddAuthentication(Scheme)
            .AddScheme<ApiTokenOptions, ApiTokenHandler>(Scheme, o => o.Tokens = tokens);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>Constant-time comparison of a presented secret with the configured ones.</summary>
    public static bool Matches(string presented, IEnumerable<string> configured)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var match = false;
        foreach (var candidate in configured)
            match |= candidate.Length > 0 && CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(candidate));
        return match;
    }
}

internal sealed class ApiTokenHandler(IOptionsMonitor<ApiTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiTokenOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // An anonymous endpoint takes no API token: the bearer a registry webhook presents is its own secret, judged by the
        // endpoint, and calling it an invalid API token would log a failure for every notification.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            return Task.FromResult(AuthenticateResult.NoResult());
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (!ApiAuthentication.Matches(header["Bearer ".Length..].Trim(), Options.Tokens))
            return Task.FromResult(AuthenticateResult.Fail("Invalid API token."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], ApiAuthentication.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiAuthentication.Scheme)));
    }
}
