using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageScanning.Outbound;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScanEngine.Images.Aws;

/// <summary>The basic credentials an ECR authorization token stands for (user "AWS"), usable until shortly before it expires.</summary>
internal sealed record EcrCredentials(string Username, string Password, DateTimeOffset UsableUntil);

/// <summary>
/// ECR pull credentials of one registry: GetAuthorizationToken (JSON 1.1, X-Amz-Target
/// AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken, body {}), signed with SigV4 for service "ecr" in the configured
/// region and posted to the configured region's API host only. The token (base64 "AWS:password") is kept until
/// <see cref="RenewBefore"/> ahead of its expiresAt. The secret key and the token are never logged.
/// </summary>
internal sealed class EcrAuthorizationTokens(RegistryOptions registry, EcrRegistryOptions ecr, TimeProvider time, ILogger logger)
{
    public const string Target = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string Service = "ecr";

    /// <summary>ECR tokens last 12 hours; renewing 5 minutes early keeps a long pull from starting with one about to lapse.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private const int MaxResponseBytes = 64 * 1024;

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile EcrCredentials? cached;

    /// <summary>The cached credentials while usable, else null.</summary>
    public EcrCredentials? Current => cached is { } c && c.UsableUntil > time.GetUtcNow() ? c : null;

    /// <summary>Fresh credentials unless the cached ones are usable and were not just refused (<paramref name="refused"/>).</summary>
    public async Task<EcrCredentials> GetAsync(HttpClient http, EcrCredentials? refused, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (Current is { } current && !ReferenceEquals(current, refused)) return current;
            cached = await FetchAsync(http, ct);
            return cached;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<EcrCredentials> FetchAsync(HttpClient http, CancellationToken ct)
    {
        var endpoint = ecr.ApiEndpoint();
        using var request = SignedRequest(endpoint, time.GetUtcNow());
        logger.LogDebug("Fetching an ECR authorization token for {Registry} from {Host}", registry.Name, endpoint.IdnHost);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (OutboundAddressRefusedException.Find(e) is { } refused)
        {
            throw new ScanException(ScanFailureKind.AccessDenied, $"ECR API of registry '{registry.Name}' at {endpoint.IdnHost} was not contacted: {refused.Message}.", e);
        }
        catch (Exception e) when (RegistryClient.IsTransportFailure(e, ct))
        {
            throw new ScanException(ScanFailureKind.RegistryUnreachable, $"ECR API of registry '{registry.Name}' at {endpoint.IdnHost} is unreachable: {e.Message}", e);
        }
        using (response)
        {
            var body = await RegistryClient.ReadCappedAsync(response, MaxResponseBytes, "ECR GetAuthorizationToken response", ct);
            if (!response.IsSuccessStatusCode)
            {
                var kind = (int)response.StatusCode is 400 or 401 or 403 ? ScanFailureKind.AccessDenied : ScanFailureKind.RegistryUnreachable;
                throw new ScanException(kind,
                    $"ECR API of registry '{registry.Name}' refused GetAuthorizationToken (HTTP {(int)response.StatusCode}{ErrorOf(body)}); check its Ecr:AccessKeyId and Ecr:SecretAccessKey.");
            }
            return Parse(body);
        }
    }

    /// <summary>The signed POST: content-type, host, x-amz-date and x-amz-target signed, the body's hash computed here.</summary>
    internal HttpRequestMessage SignedRequest(Uri endpoint, DateTimeOffset now)
    {
        var body = "{}"u8.ToArray();
        var host = endpoint.IsDefaultPort ? endpoint.IdnHost : $"{endpoint.IdnHost}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";
        var date = now.UtcDateTime.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture);
        string[] signedHeaders = ["content-type", "host", "x-amz-date", "x-amz-target"];
        var signable = new SignableRequest("POST", endpoint.AbsolutePath, "",
            [new("content-type", ContentType), new("host", host), new("x-amz-date", date), new("x-amz-target", Target)], body);
        var signature = SigV4Signer.Sign(signable, signedHeaders, ecr.SecretAccessKey, now, ecr.Region, Service);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", date);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4Signer.Algorithm} Credential={ecr.AccessKeyId}/{SigV4Signer.Scope(now, ecr.Region, Service)}, " +
            $"SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}");
        // The one host this request may reach at any address: the configured region's API (or the configured ApiUrl).
        request.Options.Set(TrustedHostRoutingHandler.TrustedHostKey, endpoint.IdnHost);
        return request;
    }

    private EcrCredentials Parse(byte[] body)
    {
        try
        {
            using var json = UntrustedJson.Parse(body);
            var data = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("authorizationData", out var d)
                && d.ValueKind == JsonValueKind.Array && d.GetArrayLength() > 0 ? d[0] : default;
            var token = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("authorizationToken", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString() : null;
            if (string.IsNullOrEmpty(token)) throw Malformed("no authorizationData[0].authorizationToken");
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
            catch (FormatException) { throw Malformed("an authorizationToken that is not base64"); }
            var colon = decoded.IndexOf(':');
            if (colon <= 0) throw Malformed("an authorizationToken that is not user:password");
            var now = time.GetUtcNow();
            // expiresAt is epoch seconds (JSON 1.1 timestamps, fractional allowed); missing: assume ECR's documented 12 hours.
            var expires = data.TryGetProperty("expiresAt", out var e) && e.ValueKind == JsonValueKind.Number
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(e.GetDouble() * 1000)) : now.AddHours(12);
            var lifetime = expires - now;
            var usableUntil = lifetime > RenewBefore * 2 ? expires - RenewBefore : now + lifetime / 2;
            return new EcrCredentials(decoded[..colon], decoded[(colon + 1)..], usableUntil);
        }
        catch (JsonException ex)
        {
            throw new ScanException(ScanFailureKind.AccessDenied, $"ECR API of registry '{registry.Name}' answered GetAuthorizationToken with something that is not JSON.", ex);
        }
    }

    private ScanException Malformed(string what) =>
        new(ScanFailureKind.AccessDenied, $"ECR API of registry '{registry.Name}' answered GetAuthorizationToken with {what}.");

    /// <summary>": __type: message" of an AWS JSON error body (printable, bounded), or "".</summary>
    private static string ErrorOf(byte[] body)
    {
        try
        {
            using var json = UntrustedJson.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "";
            var type = root.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var message = (root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var text = string.Join(": ", new[] { type?.Split('#')[^1], message }.Where(s => !string.IsNullOrEmpty(s)));
            return text.Length == 0 ? "" : " " + Digests.Printable(text.Length > 300 ? text[..300] : text);
        }
        catch (Exception e) when (e is JsonException or ScanException)
        {
            return "";
        }
    }
}
