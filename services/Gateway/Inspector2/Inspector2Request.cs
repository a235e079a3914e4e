using System.Text.Json.Nodes;
using ImageScanning.Gateway.Aws;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>An Inspector2 request body: every malformed or out-of-range member is a ValidationException (400), as Inspector answers.</summary>
public sealed class Inspector2Request(JsonObject body) : AwsJsonBody(body)
{
    public static Inspector2Request Parse(ReadOnlySpan<byte> json) => new(ParseObject(json, message => Inspector2Errors.Validation(message)));

    protected override AwsApiException TypeError(string message) => Inspector2Errors.Validation(message);

    /// <summary>maxResults within [1, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public int MaxResults(int max, int fallback)
    {
        var value = Int("maxResults");
        if (value is null) return fallback;
        if (value < 1 || value > max)
            throw Inspector2Errors.Validation($"maxResults must be between 1 and {max}.", "maxResults");
        return value.Value;
    }
}
