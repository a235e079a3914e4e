using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageScanning.ServiceDefaults.Security;

/// <summary>
/// Bearer tokens with scopes (<see cref="ConfiguredTokens"/>): one scheme for every token, so no token is "invalid" to one
/// scheme while valid to another, and one policy per scope (<see cref="TokenScopes.Policy"/>): no token 401, a token without
/// the scope 403.
/// </summary>
public static class ApiAuthentication
{
    public const string Scheme = "ApiToken";

    public static IHostApplicationBuilder AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        var tokens = ConfiguredTokens.From(builder.Configuration);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Scheme, _ => { });
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in TokenScopes.All)
            // No AddAuthenticationSchemes: the default scheme (this one) has authenticated the request already, and naming it here
            // would authenticate it again and log a failed token twice.
            authorization.AddPolicy(TokenScopes.Policy(scope), p => p.RequireClaim(TokenScopes.ClaimType, scope));
        return builder;
    }

    /// <summary>The bearer credential of a request, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return !string.IsNullOrEmpty(header) && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : null;
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

internal sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ConfiguredTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // An anonymous endpoint takes no API token: the bearer a registry webhook presents is its own secret, judged by the
        // endpoint, and calling it an invalid API token would log a failure for every notification.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (ApiAuthentication.BearerToken(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());
        if (tokens.Find(presented) is not { } grant) return Task.FromResult(AuthenticateResult.Fail("Invalid API token."));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, grant.Name), .. grant.Scopes.Select(s => new Claim(TokenScopes.ClaimType, s))], ApiAuthentication.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiAuthentication.Scheme)));
    }
}
