using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// A token service for distribution's token auth, in the test because no token server is packaged
/// for Debian (distribution ships only the verifying side; docker_auth and the like are not in the
/// archive). The registry is the real docker-registry configured with "auth: token": it verifies
/// the RS256 JWTs this service signs against the self-signed certificate in its rootcertbundle, so
/// the client's side of the flow (401 challenge, token request with basic credentials, caching,
/// retry) runs against real registry behaviour.
/// </summary>
internal sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "test-registry";
    public const string Issuer = "test-token-issuer";

    private readonly RSA key;
    private readonly X509Certificate2 certificate;
    private readonly IReadOnlyDictionary<string, string> users;
    private TestHttpServer? server;
    private int requests;

    private TokenServer(IReadOnlyDictionary<string, string> users)
    {
        this.users = users;
        key = RSA.Create(2048);
        var request = new CertificateRequest("CN=imagescanning test token signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Token requests answered so far (granted or refused).</summary>
    public int Requests => Volatile.Read(ref requests);

    public Uri Realm => new(server!.Url, "/token");

    public string CertificatePem => certificate.ExportCertificatePem();

    public static async Task<TokenServer> StartAsync(IReadOnlyDictionary<string, string> users)
    {
        var tokens = new TokenServer(users);
        tokens.server = await TestHttpServer.StartAsync(tokens.HandleAsync);
        return tokens;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (context.Request.Path != "/token" || !Authenticated(context.Request, out var user))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var access = context.Request.Query["scope"].Where(s => s is not null).Select(s => s!.Split(':'))
            .Where(p => p.Length == 3)
            .Select(p => new { type = p[0], name = p[1], actions = p[2].Split(',') })
            .ToArray();
        var token = Mint(user, access, TimeSpan.FromMinutes(5));
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { token, access_token = token, expires_in = 300, issued_at = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }));
    }

    private bool Authenticated(HttpRequest request, out string user)
    {
        user = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal)) return false;
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])).Split(':', 2);
        if (pair.Length != 2 || !users.TryGetValue(pair[0], out var password) || password != pair[1]) return false;
        user = pair[0];
        return true;
    }

    /// <summary>A signed registry token granting <paramref name="actions"/> on a repository.</summary>
    public string Mint(string subject, string repository, string[] actions, TimeSpan lifetime) =>
        Mint(subject, [new { type = "repository", name = repository, actions }], lifetime);

    private string Mint(string subject, object[] access, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new { typ = "JWT", alg = "RS256", x5c = new[] { Convert.ToBase64String(certificate.RawData) } };
        var claims = new
        {
            iss = Issuer,
            sub = subject,
            aud = Service,
            exp = (now + lifetime).ToUnixTimeSeconds(),
            nbf = now.AddMinutes(-1).ToUnixTimeSeconds(),
            iat = now.ToUnixTimeSeconds(),
            jti = Guid.NewGuid().ToString("N"),
            access,
        };
        var signingInput = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        certificate.Dispose();
        key.Dispose();
    }
}
