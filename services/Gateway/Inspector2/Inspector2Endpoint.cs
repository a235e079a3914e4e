using System.Text.Json.Nodes;
using ImageScanning.Gateway.Aws;
using ImageScanning.Gateway.Aws.Signing;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Inspector2.Operations;
using ImageScanning.ServiceDefaults.Aws;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>
/// Amazon Inspector's API (REST-JSON: <c>POST /findings/list</c>, <c>POST /configuration/get</c>, … with JSON bodies),
/// authenticated by AWS Signature Version 4 scoped to the service <c>inspector2</c> and the access keys the ECR API accepts.
/// Paths, member names and errors are the botocore model's (docs/inspector2-api.md). Errors carry their name in
/// <c>x-amzn-ErrorType</c> and a <c>message</c> body, with Inspector's statuses.
/// </summary>
public static class Inspector2Endpoint
{
    public const string SigningName = "inspector2";
    public const string ContentType = "application/json";

    public delegate Task<JsonObject> Operation(Inspector2Call call);

    /// <summary>Each operation: its name (for scopes and logs), its path and its handler.</summary>
    private static readonly (string Name, string Path, Operation Handler)[] Operations =
    [
        ("GetConfiguration", "/configuration/get", ConfigurationOperations.GetConfigurationAsync),
        ("UpdateConfiguration", "/configuration/update", ConfigurationOperations.UpdateConfigurationAsync),
        ("ListFindings", "/findings/list", FindingOperations.ListFindingsAsync),
        ("BatchGetFindingDetails", "/findings/details/batch/get", FindingOperations.BatchGetFindingDetailsAsync),
        ("CreateFilter", "/filters/create", FilterOperations.CreateFilterAsync),
        ("ListFilters", "/filters/list", FilterOperations.ListFiltersAsync),
        ("UpdateFilter", "/filters/update", FilterOperations.UpdateFilterAsync),
        ("DeleteFilter", "/filters/delete", FilterOperations.DeleteFilterAsync),
        ("ListCoverage", "/coverage/list", CoverageOperations.ListCoverageAsync),
        ("ListCoverageStatistics", "/coverage/statistics/list", CoverageOperations.ListCoverageStatisticsAsync),
        ("ListFindingAggregations", "/findings/aggregation/list", AggregationOperations.ListFindingAggregationsAsync),
        ("SearchVulnerabilities", "/vulnerabilities/search", VulnerabilityOperations.SearchVulnerabilitiesAsync),
        ("CreateSbomExport", "/sbomexport/create", SbomExportOperations.CreateSbomExportAsync),
        ("GetSbomExport", "/sbomexport/get", SbomExportOperations.GetSbomExportAsync),
    ];

    public static IEndpointRouteBuilder MapInspector2Api(this IEndpointRouteBuilder app)
    {
        foreach (var (name, path, handler) in Operations)
            // Authenticated by SigV4 inside the handler; the bearer-token policy does not apply to AWS clients.
            app.MapPost(path, (HttpContext http, SigV4Verifier verifier, ILoggerFactory loggers) => HandleAsync(http, verifier, loggers, name, handler))
                .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext http, SigV4Verifier verifier, ILoggerFactory loggers, string operation, Operation handler)
    {
        var logger = loggers.CreateLogger("ImageScanning.Gateway.Inspector2");
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            var body = await AwsHttp.ReadBodyAsync(http.Request, "ValidationException", http.RequestAborted);
            string accessKeyId;
            try
            {
                accessKeyId = verifier.Verify(AwsHttp.Signable(http.Request, body), SigningName);
            }
            catch (AwsApiException e) when (e is not Inspector2Exception)
            {
                // REST-JSON services refuse a bad signature with 403 (the JSON 1.1 ECR endpoint answers 400).
                throw new Inspector2Exception(e.Type, e.Message, StatusCodes.Status403Forbidden);
            }
            AwsAccessScopes.Authorize(http.RequestServices.GetRequiredService<IOptions<AwsOptions>>().Value, accessKeyId, SigningName, operation);
            var request = Inspector2Request.Parse(body.Span);
            var response = await handler(new Inspector2Call(request, http.RequestServices, http.RequestAborted));
            logger.LogInformation("Inspector2 {Operation} by {AccessKeyId}: OK ({RequestId})", operation, accessKeyId, requestId);
            await WriteAsync(http.Response, StatusCodes.Status200OK, response);
        }
        catch (AwsApiException e)
        {
            logger.LogInformation("Inspector2 {Operation}: {ErrorType} {ErrorMessage} ({RequestId})", operation, e.Type, e.Message, requestId);
            http.Response.Headers["x-amzn-ErrorType"] = e.Type;
            var error = new JsonObject { ["message"] = e.Message };
            if (e is Inspector2Exception { Type: "ValidationException" } validation)
            {
                error["reason"] = validation.Reason ?? "OTHER";
                if (validation.Field is { } field)
                    error["fields"] = new JsonArray(new JsonObject { ["name"] = field, ["message"] = e.Message });
            }
            await WriteAsync(http.Response, e.Status, error);
        }
        catch (RequestTimeoutException e)
        {
            logger.LogWarning(e, "Inspector2 {Operation}: a service did not answer ({RequestId})", operation, requestId);
            http.Response.Headers["x-amzn-ErrorType"] = "InternalServerException";
            await WriteAsync(http.Response, StatusCodes.Status500InternalServerError,
                new JsonObject { ["message"] = "A service of the platform did not answer in time. Try again.", ["retryAfterSeconds"] = 5 });
        }
    }

    private static Task WriteAsync(HttpResponse response, int status, JsonObject body) =>
        AwsHttp.WriteJsonAsync(response, status, ContentType, body);
}

/// <summary>One Inspector2 call: its parsed body, the account, the registries it spans, and the bus clients to ask the services.</summary>
public sealed record Inspector2Call(Inspector2Request Request, IServiceProvider Services, CancellationToken CancellationToken)
{
    public AwsAccount Account => Services.GetRequiredService<AwsAccount>();

    /// <summary>The account's registries: the ECR API's (the default one under <c>Aws:AccountId</c>, others by <c>Aws:Registries</c>).</summary>
    public EcrRegistries Registries => Services.GetRequiredService<EcrRegistries>();

    public async Task<TResponse> AskAsync<TRequest, TResponse>(TRequest message) where TRequest : class where TResponse : class
    {
        var client = Services.GetRequiredService<IRequestClient<TRequest>>();
        return (await client.GetResponse<TResponse>(message, CancellationToken)).Message;
    }
}
