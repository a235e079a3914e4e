namespace ImageScanning.Gateway.Apis;

/// <summary>Errors in ECR's shape ({"__type","message"}) so the same client code handles both APIs.</summary>
public static class ApiErrors
{
    public static IResult Error(string type, string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }, statusCode: status);

    public static IResult RegistryNotFound(string registry) =>
        Error("RegistryNotFoundException", $"The registry '{registry}' is not configured.", StatusCodes.Status404NotFound);
}
