using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageScanning.Outbound;
using ImageScanning.ScanEngine.Images.Aws;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// The authentication state of one registry: the credentials it is configured with, whether it
/// asked for basic auth, and bearer tokens per scope (distribution token auth), kept until they
/// expire. Shared by every client of that registry. Credentials and tokens are never logged. An ECR registry (Ecr:AccessKeyId
/// set) answers with a Basic challenge, and its basic credentials are those of an ECR authorization token, fetched and renewed
/// by <see cref="EcrAuthorizationTokens"/>.
/// </summary>
internal sealed class RegistryAuthenticator(RegistryOptions registry, Uri registryBase, TimeProvider time, ILogger logger)
{
    /// <summary>Spec default when a token response says nothing about its lifetime.</summary>
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Renew a token this long before it runs out.</summary>
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(10);

    private const int MaxTokenResponseBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<string, CachedToken> tokens = new(StringComparer.Ordinal);
    private volatile bool basicRequested;

    private readonly EcrAuthorizationTokens? ecrTokens = registry.Ecr is { FetchesTokens: true } ecr
        ? new EcrAuthorizationTokens(registry, ecr, time, logger) : null;

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);

    private bool HasBasicCredentials => !string.IsNullOrEmpty(registry.Username);

    /// <summary>The ECR credentials the last request was sent with, to tell a refused token from one fetched since.</summary>
    private volatile EcrCredentials? ecrApplied;

    /// <summary>Sets the Authorization header we believe this request needs.</summary>
    public void Apply(HttpRequestMessage request, string scope)
    {
        if (tokens.TryGetValue(scope, out var cached) && cached.ExpiresAt > time.GetUtcNow())
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cached.Token);
        else if (!string.IsNullOrEmpty(registry.BearerToken))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", registry.BearerToken);
        else if (basicRequested && ecrTokens?.Current is { } ecr)
        {
            ecrApplied = ecr;
            request.Headers.Authorization = BasicHeader(ecr.Username, ecr.Password);
        }
        else if (basicRequested && HasBasicCredentials && ecrTokens is null)
            request.Headers.Authorization = BasicHeader();
    }

    /// <summary>
    /// Handles a 401: fetches a token for a Bearer challenge or switches to basic auth for a Basic
    /// one. True when the request is worth sending once more.
    /// </summary>
    public async Task<bool> OnUnauthorizedAsync(HttpResponseMessage response, HttpRequestMessage sent, string scope, HttpClient http, CancellationToken ct)
    {
        var challenges = response.Headers.WwwAuthenticate.ToList();
        var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        if (bearer is not null)
        {
            var parameters = ParseChallenge(bearer.Parameter);
            if (!parameters.TryGetValue("realm", out var realm)
                || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
                || (realmUri.Scheme != Uri.UriSchemeHttp && realmUri.Scheme != Uri.UriSchemeHttps))
                throw new ScanException(ScanFailureKind.AccessDenied, $"Registry '{registry.Name}' asked for a bearer token without a usable realm.");
            if (TokenRealmPolicy.Refusal(registry, registryBase, realmUri) is { } refusal)
                throw new ScanException(ScanFailureKind.AccessDenied, refusal);
            tokens.TryRemove(scope, out _);
            var token = await FetchTokenAsync(http, realmUri, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope") ?? scope, ct);
            tokens[scope] = token;
            return true;
        }

        var basic = challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase));
        if (basic && ecrTokens is not null)
        {
            // A token sent and refused is fetched anew once; a second refusal is the registry's answer (SendAsync retries once).
            var refused = sent.Headers.Authorization?.Scheme == "Basic" ? ecrApplied : null;
            await ecrTokens.GetAsync(http, refused, ct);
            basicRequested = true;
            return true;
        }
        if (basic && HasBasicCredentials && sent.Headers.Authorization?.Scheme != "Basic")
        {
            basicRequested = true;
            return true;
        }
        return false;
    }

    private async Task<CachedToken> FetchTokenAsync(HttpClient http, Uri realm, string? service, string scope, CancellationToken ct)
    {
        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] + "&" : "");
        if (!string.IsNullOrEmpty(service)) query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        query.Append("scope=").Append(Uri.EscapeDataString(scope));
        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;

        using var request = RegistryRequests.Get(uri, registryBase);
        if (HasBasicCredentials) request.Headers.Authorization = BasicHeader();
        logger.LogDebug("Fetching a registry token for {Registry}, scope {Scope}", registry.Name, scope);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (OutboundAddressRefusedException.Find(e) is { } refused)
        {
            throw new ScanException(ScanFailureKind.AccessDenied,
                $"Token service of registry '{registry.Name}' at {realm.IdnHost} was not contacted: {refused.Message}.", e);
        }
        catch (Exception e) when (RegistryClient.IsTransportFailure(e, ct))
        {
            throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Token service of registry '{registry.Name}' at {realm.GetLeftPart(UriPartial.Path)} is unreachable: {e.Message}", e);
        }
        using (response)
        {
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
                throw new ScanException(ScanFailureKind.AccessDenied, $"Token service of registry '{registry.Name}' refused a token for {scope} (HTTP {(int)response.StatusCode}).");
            if (!response.IsSuccessStatusCode)
                throw new ScanException(ScanFailureKind.RegistryUnreachable, $"Token service of registry '{registry.Name}' answered HTTP {(int)response.StatusCode} for {scope}.");

            var body = await RegistryClient.ReadCappedAsync(response, MaxTokenResponseBytes, "token response", ct);
            try
            {
                using var json = UntrustedJson.Parse(body);
                var root = json.RootElement;
                var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                    : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                if (string.IsNullOrEmpty(token))
                    throw new ScanException(ScanFailureKind.AccessDenied, $"Token service of registry '{registry.Name}' sent no token for {scope}.");
                var lifetime = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds) : DefaultTokenLifetime;
                var usable = lifetime > ExpirySkew * 2 ? lifetime - ExpirySkew : lifetime / 2;
                return new CachedToken(token, time.GetUtcNow() + usable);
            }
            catch (JsonException ex)
            {
                throw new ScanException(ScanFailureKind.AccessDenied, $"Token service of registry '{registry.Name}' sent a response that is not JSON.", ex);
            }
        }
    }

    private AuthenticationHeaderValue BasicHeader() => BasicHeader(registry.Username, registry.Password);

    private static AuthenticationHeaderValue BasicHeader(string? username, string? password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>Parses auth-params: key=value or key="quoted, value" separated by commas.</summary>
    internal static Dictionary<string, string> ParseChallenge(string? parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(parameter)) return result;
        var i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i]))) i++;
            var keyStart = i;
            while (i < parameter.Length && parameter[i] != '=' && parameter[i] != ',') i++;
            var key = parameter[keyStart..i].Trim();
            if (i >= parameter.Length || parameter[i] != '=') { continue; }
            i++; // '='
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < parameter.Length && parameter[i] != '"')
                {
                    if (parameter[i] == '\\' && i + 1 < parameter.Length) i++;
                    sb.Append(parameter[i++]);
                }
                i++; // closing quote
                value = sb.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < parameter.Length && parameter[i] != ',') i++;
                value = parameter[valueStart..i].Trim();
            }
            if (key.Length > 0) result[key] = value;
        }
        return result;
    }
}
