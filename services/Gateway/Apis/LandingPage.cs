namespace ImageScanning.Gateway.Apis;

/// <summary>The console's front door: where the API, its OpenAPI document and the webhook endpoints are.</summary>
public static class LandingPage
{
    public static IEndpointRouteBuilder MapLandingPage(this IEndpointRouteBuilder app)
    {
        // Anonymous on purpose: it shows no data, only where things are.
        app.MapGet("/", () => Results.Content(Html, "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Image scanning</title>
        <style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1f2933}
        code{background:#f0f4f8;padding:.1rem .3rem;border-radius:3px}h1{font-size:1.4rem}</style></head>
        <body><h1>Image scanning platform</h1>
        <p>Vulnerability scanning for any OCI registry, compatible with ECR scanning and Inspector.</p>
        <p><a href="/console/">Open the web console</a> (sign in with an API token).</p>
        <ul>
        <li>REST API: <code>/api/v1</code> (send <code>Authorization: Bearer &lt;API token&gt;</code>); OpenAPI: <code>/openapi/v1.json</code></li>
        <li>ECR-compatible API (AWS CLI and SDKs with <code>--endpoint-url</code>, SigV4): <code>POST /</code></li>
        <li>Registry webhooks: <code>POST /webhooks/&lt;format&gt;/&lt;registry&gt;</code>, format one of distribution, harbor, quay, ghcr, dockerhub, zot (docs/webhooks.md)</li>
        <li>Health: <code>/health/live</code>, <code>/health/ready</code>; metrics (authenticated): <code>/metrics</code></li>
        </ul></body></html>
        """;
}
