using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Images.Aws;

namespace ImageScanning.Gateway.Aws;

/// <summary>What the AWS-compatible endpoints share about the HTTP request: a bounded body and the signable form of the request.</summary>
public static class AwsHttp
{
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>The whole body, refused past <see cref="MaxBodyBytes"/> with <paramref name="tooLargeType"/> (413).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, string tooLargeType, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                throw new AwsApiException(tooLargeType, $"The request body is larger than {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static SignableRequest Signable(HttpRequest request, ReadOnlyMemory<byte> body) => new(
        request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? "",
        request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToList(), body);

    public static async Task WriteJsonAsync(HttpResponse response, int status, string contentType, JsonObject body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        await response.WriteAsync(body.ToJsonString());
    }
}
