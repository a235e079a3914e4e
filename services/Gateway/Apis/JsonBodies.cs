using System.Text.Json;

namespace ImageScanning.Gateway.Apis;

/// <summary>Reads a REST request's JSON body the one way every endpoint answers: a bad or missing body is ECR's ValidationException.</summary>
public static class JsonBodies
{
    /// <param name="what">What the body is, for the message ("scanning configuration").</param>
    /// <returns>The body, or the error to return (unknown enum values, missing required members, malformed JSON, no body).</returns>
    public static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, string what, CancellationToken ct)
        where T : class
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct);
        }
        catch (JsonException e)
        {
            return (null, ApiErrors.Error("ValidationException", $"The {what} could not be read: {e.Message}"));
        }
        return body is null ? (null, ApiErrors.Error("ValidationException", $"A {what} body is required.")) : (body, null);
    }
}
