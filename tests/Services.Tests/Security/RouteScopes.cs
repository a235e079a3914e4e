using System.Text.RegularExpressions;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Services.Tests.Security;

/// <summary>How a route is authorized: a scope policy, the endpoint's own judgement, or nothing.</summary>
public static class RouteAccess
{
    /// <summary>No credential: health, the landing page, the console's static files (it signs in with a token itself).</summary>
    public const string Anonymous = "anonymous";

    /// <summary>AWS Signature Version 4 with an access key (Aws:AccessKeys), judged per operation by the endpoint (ECR, Inspector2).</summary>
    public const string SigV4 = "sigv4";

    /// <summary>True when the access is an authorization policy of the API token scheme (RequiredScopeMetadata).</summary>
    public static bool IsPolicy(string access) =>
        access is TokenScopes.Admin or TokenScopes.Write or TokenScopes.Read or TokenScopes.Metrics or TokenScopes.HarborScanner;
}

/// <summary>One route of the platform and what it needs. Method "*": the endpoint answers every method.</summary>
public sealed record RouteScope(string Method, string Pattern, string Access)
{
    public override string ToString() => $"{Method} {Pattern} -> {Access}";

    /// <summary>The pattern with route constraints and catch-all markers removed, as OpenAPI writes paths.</summary>
    public string NormalizedPattern => Normalize(Pattern);

    public static string Normalize(string pattern) =>
        Regex.Replace(pattern, @"\{\*{0,2}([A-Za-z]+)(:[^}]+)?\}", "{$1}").TrimEnd('/') is { Length: > 0 } p ? p : "/";

    /// <summary>A concrete path for the pattern: registry "local", ids that name nothing.</summary>
    public string SamplePath() => Regex.Replace(NormalizedPattern, @"\{([A-Za-z]+)\}", m => m.Groups[1].Value switch
    {
        "registry" => "local",
        "format" => "distribution",
        "id" when Pattern.Contains("{id:guid}") => Guid.NewGuid().ToString(),
        "id" => "no-such-id",
        "image" => "demo/app:v1",
        "repositoryImages" => "demo/app/images",
        "aggregation" => "repository",
        "name" => "no-such-feed",
        "documentName" => "v1",
        "file" => "index.html",
        var other => throw new InvalidOperationException($"No sample value for route parameter '{other}' of {Pattern}: add one."),
    });

    public string SampleMethod => Method == "*" ? "GET" : Method;
}

/// <summary>
/// Every route of the platform (the standalone process serves them all: the Gateway's, CveFeed's and the defaults every service
/// has) and the least it needs. A route that is not listed here fails RouteScopeTests by name: a new route cannot be added without
/// deciding its scope.
/// </summary>
public static class RouteScopes
{
    public static readonly IReadOnlyList<RouteScope> All =
    [
        // Every service (ServiceDefaults).
        new("*", "/health/live", RouteAccess.Anonymous),
        new("*", "/health/ready", RouteAccess.Anonymous),
        new("*", "/metrics", TokenScopes.Metrics),
        // Gateway: pages, the OpenAPI document, the registry webhook, the ECR API.
        new("GET", "/", RouteAccess.Anonymous),
        new("GET", "/console/{**file}", RouteAccess.Anonymous),
        new("GET", "/openapi/{documentName}.json", TokenScopes.Read),
        new("POST", "/webhooks/{format}/{registry}", TokenScopes.Webhook),
        new("POST", "/", RouteAccess.SigV4),
        new("POST", "/configuration/get", RouteAccess.SigV4),
        new("POST", "/configuration/update", RouteAccess.SigV4),
        new("POST", "/findings/list", RouteAccess.SigV4),
        new("POST", "/findings/details/batch/get", RouteAccess.SigV4),
        new("POST", "/filters/create", RouteAccess.SigV4),
        new("POST", "/filters/list", RouteAccess.SigV4),
        new("POST", "/filters/update", RouteAccess.SigV4),
        new("POST", "/filters/delete", RouteAccess.SigV4),
        new("POST", "/coverage/list", RouteAccess.SigV4),
        new("POST", "/coverage/statistics/list", RouteAccess.SigV4),
        new("POST", "/findings/aggregation/list", RouteAccess.SigV4),
        new("POST", "/vulnerabilities/search", RouteAccess.SigV4),
        new("POST", "/sbomexport/create", RouteAccess.SigV4),
        new("POST", "/sbomexport/get", RouteAccess.SigV4),
        // Gateway: Harbor's Pluggable Scanner API.
        new("GET", "/harbor/api/v1/metadata", TokenScopes.HarborScanner),
        new("POST", "/harbor/api/v1/scan", TokenScopes.HarborScanner),
        new("GET", "/harbor/api/v1/scan/{id}/report", TokenScopes.HarborScanner),
        // Gateway: dead letters.
        new("GET", "/api/v1/admin/dead-letters", TokenScopes.Admin),
        new("POST", "/api/v1/admin/dead-letters/replay", TokenScopes.Admin),
        // Gateway: registry configuration.
        new("GET", "/api/v1/registries/{registry}/scanning-configuration", TokenScopes.Read),
        new("PUT", "/api/v1/registries/{registry}/scanning-configuration", TokenScopes.Write),
        new("POST", "/api/v1/registries/{registry}/scanning-configuration/preview", TokenScopes.Read),
        new("GET", "/api/v1/registries/{registry}/rescan-configuration", TokenScopes.Read),
        new("PUT", "/api/v1/registries/{registry}/rescan-configuration", TokenScopes.Write),
        new("GET", "/api/v1/registries/{registry}/usage", TokenScopes.Read),
        // Gateway: catalog, findings, coverage, SBOM, events.
        new("GET", "/api/v1/registries", TokenScopes.Read),
        new("GET", "/api/v1/registries/{registry}/repositories", TokenScopes.Read),
        new("GET", "/api/v1/registries/{registry}/repositories/{**repositoryImages}", TokenScopes.Read),
        new("GET", "/api/v1/registries/{registry}/findings/{**image}", TokenScopes.Read),
        new("GET", "/api/v1/registries/{registry}/sbom/{**image}", TokenScopes.Read),
        new("GET", "/api/v1/findings", TokenScopes.Read),
        new("GET", "/api/v1/findings/aggregations/{aggregation}", TokenScopes.Read),
        new("GET", "/api/v1/coverage", TokenScopes.Read),
        new("GET", "/api/v1/events/scan-completed", TokenScopes.Read),
        // Gateway: subscriptions.
        new("POST", "/api/v1/subscriptions", TokenScopes.Write),
        new("GET", "/api/v1/subscriptions", TokenScopes.Read),
        new("GET", "/api/v1/subscriptions/{id:guid}", TokenScopes.Read),
        new("PUT", "/api/v1/subscriptions/{id:guid}", TokenScopes.Write),
        new("DELETE", "/api/v1/subscriptions/{id:guid}", TokenScopes.Write),
        new("GET", "/api/v1/subscriptions/{id:guid}/dead-letters", TokenScopes.Read),
        new("POST", "/api/v1/subscriptions/{id:guid}/dead-letters/replay", TokenScopes.Write),
        // Gateway: suppression rules.
        new("GET", "/api/v1/suppression-rules", TokenScopes.Read),
        new("GET", "/api/v1/suppression-rules/{id}", TokenScopes.Read),
        new("POST", "/api/v1/suppression-rules", TokenScopes.Write),
        new("PUT", "/api/v1/suppression-rules/{id}", TokenScopes.Write),
        new("DELETE", "/api/v1/suppression-rules/{id}", TokenScopes.Write),
        // CveFeed.
        new("POST", "/api/v1/advisories", TokenScopes.Write),
        new("GET", "/api/v1/advisories/status", TokenScopes.Read),
        new("GET", "/api/v1/advisories/export", TokenScopes.Read),
        new("GET", "/api/v1/advisories/{id}", TokenScopes.Read),
        new("GET", "/api/v1/feeds", TokenScopes.Read),
        new("POST", "/api/v1/feeds/{name}/refresh", TokenScopes.Write),
        new("POST", "/api/v1/exploits/epss", TokenScopes.Write),
        new("POST", "/api/v1/exploits/kev", TokenScopes.Write),
        new("GET", "/api/v1/exploits/status", TokenScopes.Read),
        new("GET", "/api/v1/exploits/{id}", TokenScopes.Read),
    ];

    public static RouteScope? Find(string method, string pattern) =>
        All.SingleOrDefault(r => r.Method == method && r.NormalizedPattern == RouteScope.Normalize(pattern));
}
