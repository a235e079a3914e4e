using ImageScanning.ServiceDefaults.Aws;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Aws;
using ImageScanning.Gateway.Aws.Signing;
using ImageScanning.ScanEngine.Images.Aws;
using ImageScanning.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>One request the stand-in received, as sent (headers lower-cased).</summary>
public sealed record EcrApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, string? Refusal);

/// <summary>
/// A local stand-in for ECR's GetAuthorizationToken on Kestrel (127.0.0.1): it verifies each request's SigV4 signature with the
/// project's verifier (region, access key, service "ecr", clock skew, body hash), answers AWS's JSON error ({__type, message})
/// when it fails, and otherwise hands out base64("AWS:" + <see cref="Password"/>), the password a docker-registry's htpasswd
/// accepts, expiring <see cref="TokenLifetime"/> from now.
/// </summary>
public sealed class EcrApiStandIn : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<EcrApiRequest> requests = new();

    private EcrApiStandIn(WebApplication app, int port, string password)
    {
        this.app = app;
        Url = new Uri($"http://127.0.0.1:{port}/");
        Password = password;
    }

    public Uri Url { get; }

    public string Password { get; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    public IReadOnlyList<EcrApiRequest> Requests => requests.ToList();

    public static async Task<EcrApiStandIn> StartAsync(string region, string accessKeyId, string secretAccessKey, string password)
    {
        var port = WebhookReceiver.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var built = builder.Build();
        var standIn = new EcrApiStandIn(built, port, password);
        // A wide skew: tests move the client's clock hours ahead to expire its token.
        var options = Options.Create(new AwsOptions
        {
            Region = region, MaxClockSkew = TimeSpan.FromDays(1),
            AccessKeys = [new AwsAccessKey { AccessKeyId = accessKeyId, SecretAccessKey = secretAccessKey }],
        });
        var verifier = new SigV4Verifier(options, new SignatureReplayCache(TimeProvider.System), TimeProvider.System);
        // Executed here: a lambda of HttpContext returning Task binds as a RequestDelegate, which would drop the IResult.
        built.MapPost("/{**path}", async (HttpContext context) => await (await standIn.AnswerAsync(context, verifier)).ExecuteAsync(context));
        await built.StartAsync();
        return standIn;
    }

    private async Task<IResult> AnswerAsync(HttpContext context, SigV4Verifier verifier)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToList();
        string? refusal = null;
        try
        {
            verifier.Verify(new SignableRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", headers, body), "ecr");
            if (context.Request.Headers["X-Amz-Target"] != EcrAuthorizationTokensShape.Target)
                throw new EcrException("UnknownOperationException", "Unknown operation");
        }
        catch (AwsApiException e)
        {
            refusal = e.Type;
            requests.Enqueue(Record(context, body, refusal));
            return Results.Json(new Dictionary<string, string> { ["__type"] = e.Type, ["message"] = e.Message }, statusCode: e.Status,
                contentType: "application/x-amz-json-1.1");
        }
        requests.Enqueue(Record(context, body, null));
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + Password));
        var expiresAt = (DateTimeOffset.UtcNow + TokenLifetime).ToUnixTimeMilliseconds() / 1000.0;
        return Results.Text(JsonSerializer.Serialize(new
        {
            authorizationData = new[] { new { authorizationToken = token, expiresAt, proxyEndpoint = "https://123456789012.dkr.ecr.us-west-2.amazonaws.com" } },
        }), "application/x-amz-json-1.1");
    }

    private static EcrApiRequest Record(HttpContext context, byte[] body, string? refusal) => new(
        context.Request.Method, context.Request.Path.Value ?? "",
        context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), Encoding.UTF8.GetString(body), refusal);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

/// <summary>The operation's wire names, as the stand-in checks them (the client's constants are internal to ScanEngine).</summary>
public static class EcrAuthorizationTokensShape
{
    public const string Target = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
}
