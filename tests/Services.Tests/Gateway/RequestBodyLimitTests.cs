using System.Net;
using System.Security.Cryptography;
using System.Text;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// Http:MaxRequestBodyBytes caps every request body Kestrel reads, a chunked one included; the registry webhook keeps its own
/// limit (Gateway:Webhooks:MaxBodyBytes), which may be set above the general one.
/// </summary>
[NonParallelizable]
public sealed class RequestBodyLimitTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-bodies-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task An_API_body_over_the_general_limit_is_refused_413_whatever_its_transfer_encoding(bool announceLength)
    {
        await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = "65536" });
        var json = "{\"scanType\":\"BASIC\",\"rules\":[]" + new string(' ', 70_000) + "}";

        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/registries/local/scanning-configuration") { Content = Body(json, "application/json", announceLength) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayHost.ApiToken);
        if (!announceLength) request.Headers.TransferEncodingChunked = true;
        var response = await gateway.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_notification_under_the_webhook_limit_but_over_the_general_one_is_accepted()
    {
        await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?>
        {
            ["Http:MaxRequestBodyBytes"] = "65536",
            ["Gateway:Webhooks:MaxBodyBytes"] = "1048576",
        });
        var references = string.Join(",", Enumerable.Range(0, 2_000).Select(_ =>
            $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}}","size":1}"""));
        var body = $$$"""
            {"events":[{"id":"{{{Guid.NewGuid()}}}","timestamp":"2026-12-03T02:29:12Z","action":"push",
             "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}}}",
                       "repository":"demo/app","tag":"v1","references":[{{{references}}}]},"request":{"useragent":"docker/27.0"}}]}
            """;
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.InRange(65_537, 1_048_576), "between the two limits");

        var response = await gateway.PostNotificationAsync(Body(body, GatewayHost.NotificationMediaType, announceLength: false));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.That(await GatewayHost.OutboxRowsAsync(directory), Has.Count.EqualTo(1), "its push is stored");
    }

    private static HttpContent Body(string text, string mediaType, bool announceLength)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        HttpContent content = announceLength ? new ByteArrayContent(bytes) : new ChunkedContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return content;
    }
}
