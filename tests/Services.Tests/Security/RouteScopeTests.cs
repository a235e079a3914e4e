using System.Net;
using System.Text.Json;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace ImageScanning.Services.Tests.Security;

/// <summary>
/// Least privilege per route, on a real standalone process (every route of every service): the table in RouteScopes names
/// every route and the scope it needs; the process's endpoints and its OpenAPI document hold no route the table misses; and
/// over HTTP each route lets its scope through and refuses every other scope (403), no token and unknown tokens (401).
/// </summary>
[NonParallelizable]
public sealed class RouteScopeTests
{
    private StandaloneHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => host = await StandaloneHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    private static IEnumerable<RouteScope> ScopedRoutes() =>
        RouteScopes.All.Where(r => RouteAccess.IsPolicy(r.Access) || r.Access == TokenScopes.Webhook);

    private static IEnumerable<RouteScope> AnonymousRoutes() => RouteScopes.All.Where(r => r.Access == RouteAccess.Anonymous);

    private static string MethodOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { } methods ? string.Join(",", methods.HttpMethods) : "*";

    [Test]
    public void Every_route_the_process_serves_is_in_the_table_with_the_authorization_it_has()
    {
        var served = host.Endpoints.Select(e => (Method: MethodOf(e), Pattern: e.RoutePattern.RawText ?? "", Endpoint: e)).ToList();

        var missing = served.Where(s => RouteScopes.Find(s.Method, s.Pattern) is null).Select(s => $"{s.Method} {s.Pattern}").ToList();
        var stale = RouteScopes.All.Where(r => !served.Any(s => s.Method == r.Method && RouteScope.Normalize(s.Pattern) == r.NormalizedPattern))
            .Select(r => r.ToString()).ToList();
        var mismatched = served.Select(s => (s, Route: RouteScopes.Find(s.Method, s.Pattern))).Where(x => x.Route is not null)
            .Select(x => (x.s, x.Route!, Actual: Authorization(x.s.Endpoint)))
            .Where(x => x.Actual != Expected(x.Item2.Access))
            .Select(x => $"{x.s.Method} {x.s.Pattern}: the table says {x.Item2.Access}, the endpoint has {x.Actual}").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty, "routes with no line in RouteScopes.All: decide the least scope each needs");
            Assert.That(stale, Is.Empty, "lines of RouteScopes.All that no endpoint serves");
            Assert.That(mismatched, Is.Empty);
        });
    }

    /// <summary>The endpoint's authorization: its RequiredScopeMetadata, or "anonymous" when it allows anonymous callers.</summary>
    private static string Authorization(RouteEndpoint endpoint)
    {
        var scopes = endpoint.Metadata.GetOrderedMetadata<RequiredScopeMetadata>().Select(m => m.Scope).Distinct().ToList();
        var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
        return (scopes.Count, anonymous) switch
        {
            (0, true) => "anonymous",
            (1, false) => "scope " + scopes[0],
            (0, false) => "no authorization at all",
            _ => $"scopes {string.Join("+", scopes)} (anonymous: {anonymous})",
        };
    }

    // The webhook and the ECR API allow anonymous callers to the token scheme and judge the credential themselves.
    private static string Expected(string access) => RouteAccess.IsPolicy(access) ? "scope " + access : "anonymous";

    [Test]
    public async Task Every_operation_of_the_OpenAPI_document_is_in_the_table()
    {
        var response = await host.SendAsync(HttpMethod.Get, "/openapi/v1.json", StandaloneHost.TokenFor(TokenScopes.Read));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Method: op.Name.ToUpperInvariant(), Path: path.Name)))
            .ToList();

        Assert.That(operations, Has.Count.GreaterThan(30), "the document lists the REST API");
        Assert.That(operations.Where(o => RouteScopes.Find(o.Method, o.Path) is null).Select(o => $"{o.Method} {o.Path}"), Is.Empty,
            "operations of /openapi/v1.json with no line in RouteScopes.All");
    }

    [TestCaseSource(nameof(ScopedRoutes))]
    public async Task A_route_answers_its_scope_and_refuses_every_other(RouteScope route)
    {
        var method = new HttpMethod(route.SampleMethod);
        var body = method == HttpMethod.Get ? null : "{}";
        var allowed = await host.SendAsync(method, route.SamplePath(), StandaloneHost.TokenFor(route.Access), body);
        var anonymous = await host.SendAsync(method, route.SamplePath(), token: null, body);
        var unknown = await host.SendAsync(method, route.SamplePath(), "not-a-configured-token", body);
        var others = new List<(string Scope, HttpStatusCode Status)>();
        foreach (var scope in TokenScopes.All.Where(s => s != route.Access))
            others.Add((scope, (await host.SendAsync(method, route.SamplePath(), StandaloneHost.TokenFor(scope), body)).StatusCode));

        Assert.Multiple(async () =>
        {
            Assert.That(allowed.StatusCode, Is.Not.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden),
                $"a {route.Access} token is let through: {await allowed.Content.ReadAsStringAsync()}");
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no token");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a token nobody configured");
            foreach (var (scope, status) in others) Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), $"a {scope} token");
        });
    }

    [TestCaseSource(nameof(AnonymousRoutes))]
    public async Task An_anonymous_route_needs_no_token(RouteScope route)
    {
        var response = await host.SendAsync(new HttpMethod(route.SampleMethod), route.SamplePath(), token: null);
        Assert.That(response.StatusCode, Is.Not.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task The_registry_webhook_also_takes_its_registry_own_token()
    {
        var response = await host.SendAsync(HttpMethod.Post, "/webhooks/distribution/local", StandaloneHost.WebhookToken, """{"events":[]}""");
        var otherRegistry = await host.SendAsync(HttpMethod.Post, "/webhooks/distribution/elsewhere", StandaloneHost.TokenFor(TokenScopes.Webhook), """{"events":[]}""");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(otherRegistry.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "an unconfigured registry: nothing to post to");
        });
    }
}
