using System.Security.Claims;
using System.Text.Encodings.Web;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Admin;

/// <summary>Admin bearer tokens from configuration (Security:AdminTokens): a scope of their own, apart from the API tokens.</summary>
public sealed class AdminTokenOptions : AuthenticationSchemeOptions
{
    public IReadOnlyList<string> Tokens { get; set; } = [];
}

/// <summary>
/// The admin policy, least privilege both ways: only an admin token passes it (an API token is authenticated but forbidden:
/// 403; no token: 401), and an admin token is no API token. Gateway-local, beside the API token scheme of ServiceDefaults.
/// </summary>
public static class AdminAuthentication
{
    public const string Scheme = "AdminToken";
    public const string PolicyName = "admin";
    public const string Role = "platform-admin";

    public static IHostApplicationBuilder AddAdminAuthentication(this IHostApplicationBuilder builder)
    {
        var tokens = builder.Configuration.GetSection("Security:AdminTokens").Get<string[]>() ?? [];
        builder.Services.AddAuthentication().AddScheme<AdminTokenOptions, AdminTokenHandler>(Scheme, o => o.Tokens = tokens);
        // Both schemes authenticate, so an API token is recognised (and forbidden) rather than challenged as unknown.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, p => p.AddAuthenticationSchemes(ApiAuthentication.Scheme, Scheme).RequireRole(Role));
        return builder;
    }
}

internal sealed class AdminTokenHandler(IOptionsMonitor<AdminTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AdminTokenOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        // Any other bearer token is not this scheme's to judge (the API token scheme knows API tokens).
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ||
            !ApiAuthentication.Matches(header["Bearer ".Length..].Trim(), Options.Tokens))
            return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "platform-admin"), new Claim(ClaimTypes.Role, AdminAuthentication.Role)], AdminAuthentication.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AdminAuthentication.Scheme)));
    }
}
