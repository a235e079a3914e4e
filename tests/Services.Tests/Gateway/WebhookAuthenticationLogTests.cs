using System.Net;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// The webhook route is anonymous (the registry presents its own webhook secret), so the API-token scheme does not judge its
/// bearer: no "Invalid API token" line per notification, while a wrong token on an API endpoint is still logged.
/// </summary>
[NonParallelizable]
public sealed class WebhookAuthenticationLogTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-auth-log-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task A_valid_notification_logs_no_invalid_api_token_line_while_a_wrong_api_token_still_does()
    {
        var logs = new CapturedLogs();
        await using var gateway = await GatewayHost.StartAsync(directory, logs: logs);

        var accepted = await gateway.PostNotificationAsync(GatewayHost.Notification().Body);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var afterWebhook = logs.Entries;

        var refused = await gateway.SendAsync(HttpMethod.Get, "/metrics", token: "not-an-api-token");
        var afterRefusal = logs.Entries;

        Assert.Multiple(() =>
        {
            Assert.That(afterWebhook.Where(e => e.Message.Contains("Invalid API token")), Is.Empty,
                "the webhook's bearer is the registry's own secret, not an API token to judge");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(afterRefusal.Where(e => e.Message.Contains("Invalid API token")), Is.Not.Empty,
                "a real authentication failure on an API endpoint is still logged (and the capture sees Information)");
        });
    }
}
