using System.Globalization;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Security;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// Harbor's Pluggable Scanner API (spec v1.0 to v1.2) under <c>/harbor/api/v1</c>: GET /metadata, POST /scan and
/// GET /scan/{id}/report. Harbor authenticates with the bearer token set on its scanner registration; only a token with the
/// <c>harbor-scanner</c> scope is let in, and that scope opens nothing else. Errors are ErrorResponse <c>{"error":{"message"}}</c>.
/// </summary>
public static class HarborScannerEndpoints
{
    public const string BasePath = "/harbor/api/v1";
    private const int MaxScanRequestBytes = 64 * 1024;

    private static readonly IHarborReportRenderer[] Renderers = [new SecurityVulnerabilityReportRenderer(), new HarborVulnerabilityReportRenderer()];

    public static IEndpointRouteBuilder MapHarborScanner(this IEndpointRouteBuilder app)
    {
        // Harbor's own specification describes these routes; they stay out of the platform's OpenAPI document.
        var group = app.MapGroup(BasePath).RequireScope(TokenScopes.HarborScanner).ExcludeFromDescription();
        group.MapGet("/metadata", GetMetadataAsync);
        group.MapPost("/scan", AcceptScanRequestAsync);
        group.MapGet("/scan/{id}/report", GetScanReportAsync);
        return app;
    }

    private static Task GetMetadataAsync(HttpContext http, IAdvisoryStore advisories) => AnswerAsync(http, async () =>
    {
        // The version Accept prefers (Harbor's client asks for 1.0); 1.1 when it names neither.
        var asked = HarborMediaTypes.Accepted(http.Request).FirstOrDefault(a =>
            HarborMediaTypes.Matches(a, HarborMediaTypes.MetadataV10) || HarborMediaTypes.Matches(a, HarborMediaTypes.MetadataV11));
        var mediaType = asked is not null && HarborMediaTypes.Matches(asked, HarborMediaTypes.MetadataV10) ? HarborMediaTypes.MetadataV10 : HarborMediaTypes.MetadataV11;
        await WriteAsync(http.Response, StatusCodes.Status200OK, mediaType, await HarborMetadata.BuildAsync(advisories, http.RequestAborted));
    });

    private static Task AcceptScanRequestAsync(HttpContext http, HarborRegistries registries, HarborScanStarter starter) => AnswerAsync(http, async () =>
    {
        var contentType = http.Request.ContentType;
        if (contentType is not null && !(HarborMediaTypes.Matches(contentType, HarborMediaTypes.ScanRequestV11)
            || HarborMediaTypes.Matches(contentType, HarborMediaTypes.ScanRequestV10) || HarborMediaTypes.Matches(contentType, "application/json")))
            throw HarborException.InvalidJson($"Content-Type '{contentType}' is not a scan request: send {HarborMediaTypes.ScanRequestV11}.");
        var request = HarborScanRequest.Parse((await ReadBodyAsync(http.Request)).Span);
        // Harbor's registry.authorization is not used to pull: the platform pulls with the configured registry's own credentials.
        var registry = registries.Resolve(request.RegistryUrl) ?? throw HarborException.InvalidField(
            $"registry.url '{HarborRegistries.Display(request.RegistryUrl)}' is not a registry this platform pulls from: configure it as Registries:N:Url " +
            "(or map it with Harbor:RegistryUrls) and allow it in Harbor:Registries.");
        var id = await starter.StartAsync(registry, request, http.RequestAborted);
        await WriteAsync(http.Response, StatusCodes.Status202Accepted, HarborMediaTypes.ScanResponse, new JsonObject { ["id"] = id.Encode() });
    });

    private static Task GetScanReportAsync(
        HttpContext http, string id, HarborRegistries registries, HarborReportReader reader, IRequestClient<GetImageSbom> sboms,
        IOptions<HarborOptions> options, TimeProvider clock) => AnswerAsync(http, async () =>
    {
        if (HarborScanRequestId.Decode(id) is not { } request || !registries.IsAllowed(request.Registry))
            throw new HarborException(StatusCodes.Status404NotFound, $"No scan request has the id '{id}'.");
        var (renderer, sbomMediaType) = ChooseReport(http.Request);
        var state = await reader.ReadAsync(request, http.RequestAborted);
        switch (state)
        {
            case HarborReportState.Unknown:
                throw new HarborException(StatusCodes.Status404NotFound, $"The platform holds no artifact {request.Repository}@{request.Digest} for '{id}'.");
            case HarborReportState.Pending:
                http.Response.StatusCode = StatusCodes.Status302Found;
                http.Response.Headers["Refresh-After"] = options.Value.RefreshAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return;
            case HarborReportState.Failed failed:
                throw new HarborException(StatusCodes.Status500InternalServerError, failed.Message);
        }
        var findings = ((HarborReportState.Ready)state).Findings;
        if (sbomMediaType is null)
        {
            await WriteAsync(http.Response, StatusCodes.Status200OK, renderer!.MediaType,
                renderer.Render(new HarborReportInput(request, findings, clock.GetUtcNow())));
            return;
        }
        var sbom = (await sboms.GetResponse<ImageSbomResult>(new GetImageSbom(request.Registry, request.Repository, request.Digest,
            HarborSbomReportRenderer.FormatOf(sbomMediaType)!.Value), http.RequestAborted)).Message;
        if (sbom is not { Found: true, Json: { } json })
            throw new HarborException(StatusCodes.Status500InternalServerError, $"The scan of {request.Repository}@{request.Digest} kept no inventory to make an SBOM of.");
        await WriteAsync(http.Response, StatusCodes.Status200OK, HarborSbomReportRenderer.MediaType,
            HarborSbomReportRenderer.Render(request, sbomMediaType, json, clock.GetUtcNow()));
    });

    /// <summary>The vulnerability renderer Accept asks for, or (null, the SBOM format) for the SBOM report; 400/501 otherwise.</summary>
    private static (IHarborReportRenderer? Renderer, string? SbomMediaType) ChooseReport(HttpRequest request)
    {
        var accepted = HarborMediaTypes.Accepted(request);
        if (HarborMediaTypes.AcceptsAnything(accepted)) return (Renderers[0], null);
        foreach (var type in accepted)
        {
            if (Renderers.FirstOrDefault(r => HarborMediaTypes.Matches(type, r.MediaType)) is { } renderer) return (renderer, null);
            if (!HarborMediaTypes.Matches(type, HarborSbomReportRenderer.MediaType)) continue;
            string? format = request.Query["sbom_media_type"];
            if (string.IsNullOrEmpty(format))
                throw HarborException.InvalidJson($"The SBOM report needs ?sbom_media_type={string.Join(" or ", HarborMediaTypes.SbomFormats)}.");
            if (HarborSbomReportRenderer.FormatOf(format) is null)
                throw HarborException.InvalidJson($"sbom_media_type '{format}' is not {string.Join(" or ", HarborMediaTypes.SbomFormats)}.");
            return (null, format);
        }
        throw HarborException.NotSupported(
            $"This scanner produces {HarborMediaTypes.SecurityReportV11}, {HarborMediaTypes.HarborReportV10} and {HarborMediaTypes.SbomReport}, not '{request.Headers.Accept}'.");
    }

    private static async Task AnswerAsync(HttpContext http, Func<Task> handler)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ImageScanning.Gateway.Harbor");
        try
        {
            await handler();
        }
        catch (HarborException e)
        {
            logger.LogInformation("Harbor scanner API {Path}: {Status} {Message}", http.Request.Path.Value, e.Status, e.Message);
            await WriteAsync(http.Response, e.Status, HarborMediaTypes.Error, HarborJson.Error(e.Message));
        }
        catch (RequestTimeoutException e)
        {
            logger.LogWarning(e, "Harbor scanner API {Path}: a service did not answer", http.Request.Path.Value);
            await WriteAsync(http.Response, StatusCodes.Status500InternalServerError, HarborMediaTypes.Error,
                HarborJson.Error("A service of the platform did not answer in time. Try again."));
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            // Harbor stops polling on a 500 and shows its message: an ErrorResponse, not an empty body.
            logger.LogError(e, "Harbor scanner API {Path}: unexpected failure", http.Request.Path.Value);
            await WriteAsync(http.Response, StatusCodes.Status500InternalServerError, HarborMediaTypes.Error,
                HarborJson.Error("The scanner failed unexpectedly; the platform's logs have the details."));
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxScanRequestBytes)
                throw new HarborException(StatusCodes.Status413PayloadTooLarge, $"The scan request is larger than {MaxScanRequestBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpResponse response, int status, string contentType, JsonObject body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        await response.WriteAsync(body.ToJsonString());
    }
}
