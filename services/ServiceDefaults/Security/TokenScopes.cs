using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace ImageScanning.ServiceDefaults.Security;

/// <summary>
/// What a bearer token may do. No scope implies another (an admin token cannot read findings, a write token cannot read):
/// a token gets exactly the scopes it is configured with.
/// </summary>
public static class TokenScopes
{
    /// <summary>Dead-letter inspection and replay.</summary>
    public const string Admin = "admin";

    /// <summary>Every mutation of the REST API: configuration, suppression rules, subscriptions, manual scans, advisory uploads.</summary>
    public const string Write = "write";

    /// <summary>Every read of the REST API and the OpenAPI document.</summary>
    public const string Read = "read";

    /// <summary>GET /metrics only: Prometheus' scrape credential.</summary>
    public const string Metrics = "metrics";

    /// <summary>May post a notification to any registry's webhook (each registry also has its own webhook token).</summary>
    public const string Webhook = "webhook";

    /// <summary>
    /// Harbor's Pluggable Scanner API only (/harbor/api/v1): a Harbor instance may ask for scans of its artifacts and read their
    /// reports, and nothing else of the REST API.
    /// </summary>
    public const string HarborScanner = "harbor-scanner";

    public static readonly IReadOnlyList<string> All = [Admin, Write, Read, Metrics, Webhook, HarborScanner];

    /// <summary>The claim type that carries one scope of an authenticated token.</summary>
    public const string ClaimType = "scope";

    /// <summary>The authorization policy that requires <paramref name="scope"/>.</summary>
    public static string Policy(string scope) => "scope:" + scope;

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}

/// <summary>The scope an endpoint requires: endpoint metadata, so tests (and the default by method) can read it.</summary>
public sealed record RequiredScopeMetadata(string Scope);

public static class TokenScopeEndpointExtensions
{
    /// <summary>Only a token with <paramref name="scope"/> may call these endpoints (no token: 401; another token: 403).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        if (!TokenScopes.IsKnown(scope)) throw new ArgumentException($"'{scope}' is not a token scope.", nameof(scope));
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(new RequiredScopeMetadata(scope));
            endpoint.Metadata.Add(new AuthorizeAttribute(TokenScopes.Policy(scope)));
        });
        return builder;
    }

    /// <summary>
    /// Every endpoint of the group that set no scope of its own gets one by its method: GET and HEAD need <c>read</c>, anything
    /// else <c>write</c>. Applied last (after the endpoints' own conventions), so <see cref="RequireScope{TBuilder}"/> on an
    /// endpoint wins: a POST that only reads (a preview) says so.
    /// </summary>
    public static RouteGroupBuilder RequireScopesByMethod(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequiredScopeMetadata>().Any()) return;
            var methods = endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            var readOnly = methods.Count > 0 && methods.All(m => m is "GET" or "HEAD");
            var scope = readOnly ? TokenScopes.Read : TokenScopes.Write;
            endpoint.Metadata.Add(new RequiredScopeMetadata(scope));
            endpoint.Metadata.Add(new AuthorizeAttribute(TokenScopes.Policy(scope)));
        });
        return group;
    }
}
