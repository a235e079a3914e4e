using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;

namespace ImageScanning.Gateway.Apis;

/// <summary>
/// The web console: static HTML, CSS and JavaScript modules embedded in this assembly (so `dotnet run` and a
/// published Standalone serve the same files). Anonymous on purpose: the files hold no data; every datum comes
/// from the authenticated API with the token the user signs in with.
/// </summary>
public static class WebConsole
{
    public const string BasePath = "/console/";
    private const string ResourcePrefix = "console/";
    private static readonly Assembly Assembly = typeof(WebConsole).Assembly;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // Nothing from the internet, no inline script; the API is same-origin.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IEndpointRouteBuilder MapWebConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet(BasePath + "{**file}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string? file, HttpRequest request, HttpResponse response)
    {
        // Routing treats "/console" and "/console/" alike, but the page's relative URLs need the slash.
        if (!request.Path.Value!.EndsWith('/') && string.IsNullOrEmpty(file)) return Results.Redirect(BasePath);
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        // Resource names are fixed at build time; anything else (including "..") simply is not found.
        var stream = Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null) return Results.NotFound();
        if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.EndsWith("javascript", StringComparison.Ordinal))
            contentType += "; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-cache";
        return Results.Stream(stream, contentType);
    }
}
