using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImageScanning.Gateway.Aws;

/// <summary>
/// A JSON request body of an AWS-compatible API with typed member access. A member of the wrong JSON type is the API's own
/// error (<see cref="TypeError"/>: ECR says SerializationException, Inspector2 ValidationException).
/// </summary>
public abstract class AwsJsonBody(JsonObject body)
{
    public JsonObject Body { get; } = body;

    protected abstract AwsApiException TypeError(string message);

    /// <summary>The body as an object; empty for an empty body, <see cref="TypeError"/> for anything but an object.</summary>
    protected static JsonObject ParseObject(ReadOnlySpan<byte> json, Func<string, AwsApiException> error)
    {
        if (json.IsEmpty) return [];
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw error("The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw error("The request body is not valid JSON.");
        }
    }

    public string? String(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw TypeError($"'{name}' must be a string."),
    };

    public int? Int(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        _ => throw TypeError($"'{name}' must be an integer."),
    };

    public bool? Bool(string name) => Body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw TypeError($"'{name}' must be a boolean."),
    };

    public JsonObject? Object(string name) => Body[name] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw TypeError($"'{name}' must be a structure."),
    };

    public JsonArray? Array(string name) => Body[name] switch
    {
        null => null,
        JsonArray a => a,
        _ => throw TypeError($"'{name}' must be a list."),
    };
}
