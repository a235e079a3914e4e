using System.Text.Json.Nodes;
using ImageScanning.Gateway.Ecr.Operations;
using ImageScanning.Gateway.Aws;
using ImageScanning.Gateway.Aws.Signing;
using ImageScanning.ServiceDefaults.Aws;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Ecr;

/// <summary>
/// The ECR-compatible API: <c>POST /</c> with <c>X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.&lt;Operation&gt;</c>
/// and an <c>application/x-amz-json-1.1</c> body, authenticated by AWS Signature Version 4 (not by the REST API's bearer
/// token: AWS clients sign, they do not send tokens). Errors are <c>{"__type","message"}</c> with AWS's names and statuses.
/// </summary>
public static class EcrEndpoint
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningName = "ecr";

    private delegate Task<JsonObject> Operation(EcrCall call);

    private static readonly Dictionary<string, Operation> Operations = new(StringComparer.Ordinal)
    {
        ["GetRegistryScanningConfiguration"] = ScanningConfigurationOperations.GetRegistryScanningConfigurationAsync,
        ["PutRegistryScanningConfiguration"] = ScanningConfigurationOperations.PutRegistryScanningConfigurationAsync,
        ["BatchGetRepositoryScanningConfiguration"] = ScanningConfigurationOperations.BatchGetRepositoryScanningConfigurationAsync,
        ["PutImageScanningConfiguration"] = ScanningConfigurationOperations.PutImageScanningConfigurationAsync,
        ["StartImageScan"] = ImageOperations.StartImageScanAsync,
        ["DescribeImages"] = ImageOperations.DescribeImagesAsync,
        ["DescribeRepositories"] = ImageOperations.DescribeRepositoriesAsync,
        ["DescribeImageScanFindings"] = ScanFindingsOperation.DescribeImageScanFindingsAsync,
        ["CreateRepository"] = RepositoryOperations.CreateRepositoryAsync,
        ["DeleteRepository"] = RepositoryOperations.DeleteRepositoryAsync,
        ["DescribeRegistry"] = RepositoryOperations.DescribeRegistryAsync,
    };

    public static IEndpointRouteBuilder MapEcrApi(this IEndpointRouteBuilder app)
    {
        // Authenticated by SigV4 inside the handler; the bearer-token policy does not apply to AWS clients.
        app.MapPost("/", HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext http, SigV4Verifier verifier, EcrRegistries registries, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("ImageScanning.Gateway.Ecr");
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        string target = http.Request.Headers["X-Amz-Target"].ToString();
        var operationName = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : target;
        try
        {
            var body = await AwsHttp.ReadBodyAsync(http.Request, "SerializationException", http.RequestAborted);
            var accessKeyId = verifier.Verify(AwsHttp.Signable(http.Request, body), SigningName);

            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal) || !Operations.TryGetValue(operationName, out var operation))
                throw new EcrException("UnknownOperationException", $"The operation '{target}' is not supported by this endpoint.");
            AwsAccessScopes.Authorize(http.RequestServices.GetRequiredService<IOptions<AwsOptions>>().Value, accessKeyId, SigningName, operationName);
            var request = EcrRequest.Parse(body.Span);
            var response = await operation(new EcrCall(request, registries, http.RequestServices, http.RequestAborted));
            logger.LogInformation("ECR {Operation} by {AccessKeyId}: OK ({RequestId})", operationName, accessKeyId, requestId);
            await WriteAsync(http.Response, StatusCodes.Status200OK, response);
        }
        catch (AwsApiException e)
        {
            logger.LogInformation("ECR {Operation}: {ErrorType} {ErrorMessage} ({RequestId})", operationName, e.Type, e.Message, requestId);
            await WriteAsync(http.Response, e.Status, new JsonObject { ["__type"] = e.Type, ["message"] = e.Message });
        }
        catch (RequestTimeoutException e)
        {
            logger.LogWarning(e, "ECR {Operation}: a service did not answer ({RequestId})", operationName, requestId);
            await WriteAsync(http.Response, StatusCodes.Status500InternalServerError,
                new JsonObject { ["__type"] = "ServerException", ["message"] = "A service of the platform did not answer in time. Try again." });
        }
    }

    private static Task WriteAsync(HttpResponse response, int status, JsonObject body) =>
        AwsHttp.WriteJsonAsync(response, status, ContentType, body);
}

/// <summary>One ECR call: its parsed body, the registry mapping, and the bus clients to ask the services.</summary>
public sealed record EcrCall(EcrRequest Request, EcrRegistries Registries, IServiceProvider Services, CancellationToken CancellationToken)
{
    public EcrRegistry Registry => Registries.Resolve(Request.RegistryId);

    public AwsAccount Account => Services.GetRequiredService<AwsAccount>();

    public async Task<TResponse> AskAsync<TRequest, TResponse>(TRequest message) where TRequest : class where TResponse : class
    {
        var client = Services.GetRequiredService<IRequestClient<TRequest>>();
        return (await client.GetResponse<TResponse>(message, CancellationToken)).Message;
    }
}
