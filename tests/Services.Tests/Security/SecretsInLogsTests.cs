using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Services.Tests.Security;

/// <summary>
/// No secret reaches a log line or a trace: a real standalone process is sent tokens in headers, in query strings and in bodies
/// (a subscription secret, a webhook token), right and wrong, and every captured log entry and every tag of the server's
/// request activities (what OpenTelemetry exports) is searched for each secret.
/// </summary>
[NonParallelizable]
public sealed class SecretsInLogsTests
{
    [Test]
    public async Task No_token_query_secret_or_body_secret_appears_in_any_log_line_or_trace()
    {
        var querySecret = "query-secret-" + Guid.NewGuid().ToString("N");
        var bodySecret = "body-secret-" + Guid.NewGuid().ToString("N");
        var wrongToken = "wrong-token-" + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var responses = new List<HttpStatusCode>();
        await using (var host = await StandaloneHost.StartAsync())
        {
            var read = StandaloneHost.TokenFor(TokenScopes.Read);
            var write = StandaloneHost.TokenFor(TokenScopes.Write);
            async Task Send(HttpMethod method, string path, string? token, string? json = null) =>
                responses.Add((await host.SendAsync(method, path, token, json)).StatusCode);

            await Send(HttpMethod.Get, $"/api/v1/findings?nextToken={querySecret}&access_token={querySecret}", read);
            await Send(HttpMethod.Get, $"/api/v1/registries?token={querySecret}", wrongToken);
            await Send(HttpMethod.Get, "/metrics?token=" + querySecret, StandaloneHost.TokenFor(TokenScopes.Metrics));
            await Send(HttpMethod.Get, "/metrics", wrongToken);
            await Send(HttpMethod.Get, "/api/v1/admin/dead-letters", StandaloneHost.TokenFor(TokenScopes.Admin));
            await Send(HttpMethod.Post, "/api/v1/subscriptions", write,
                $$$"""{"targetUrl":"https://hooks.example.invalid/x?key={{{querySecret}}}","secret":"{{{bodySecret}}}","eventPattern":{"source":["aws.inspector2"]}}""");
            await Send(HttpMethod.Post, "/api/v1/suppression-rules", write, $$"""{"name":"{{bodySecret}}","reason":"x"}""");
            await Send(HttpMethod.Post, $"/webhooks/distribution/local?token={querySecret}", StandaloneHost.WebhookToken, """{"events":[]}""");
            await Send(HttpMethod.Post, "/webhooks/distribution/local", wrongToken, """{"events":[]}""");
            await Send(HttpMethod.Post, "/webhooks/distribution/local", StandaloneHost.TokenFor(TokenScopes.Webhook), $$"""{"events":"{{bodySecret}}"}""");

            using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/v1/registries");
            basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + bodySecret)));
            responses.Add((await host.Client.SendAsync(basic)).StatusCode);

            var entries = host.Logs.Entries;
            var secrets = new[] { querySecret, bodySecret, wrongToken, StandaloneHost.WebhookToken }
                .Concat(TokenScopes.All.Select(StandaloneHost.TokenFor)).ToList();
            var lines = entries.Select(e => $"{e.Category} {e.Level}: {e.Message}").ToList();
            var tags = activities.SelectMany(a => a.TagObjects.Select(t => $"{a.DisplayName} {t.Key}={t.Value}")
                .Append($"{a.DisplayName} (display name)")).ToList();

            Assert.Multiple(() =>
            {
                Assert.That(lines, Has.Count.GreaterThan(10), "the capture sees the process's logs (Information and up)");
                Assert.That(lines.Where(l => l.Contains("/api/v1/findings")), Is.Not.Empty, "requests are logged, by path");
                Assert.That(tags, Is.Not.Empty, "the capture sees the server's request activities");
                foreach (var secret in secrets)
                {
                    Assert.That(lines.Where(l => l.Contains(secret)), Is.Empty, $"log lines holding {secret}");
                    Assert.That(tags.Where(t => t.Contains(secret)), Is.Empty, $"trace tags holding {secret}");
                }
                Assert.That(lines.Where(l => l.Contains("Invalid API token")).ToList(), Has.Count.EqualTo(2),
                    "the two wrong tokens on token-scheme routes, and nothing for the admin, metrics or webhook tokens");
            });
        }
        Assert.That(responses, Has.None.EqualTo(HttpStatusCode.InternalServerError));
    }
}
