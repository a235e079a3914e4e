using ImageScanning.ServiceDefaults.Aws;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Aws;
using ImageScanning.Gateway.Aws.Signing;
using ImageScanning.ScanEngine.Images.Aws;

namespace ImageScanning.Services.Tests.Security;

/// <summary>
/// The ECR API's access keys have scopes too: a read key may call Describe*/Get*/BatchGet*, a write key Put* and StartImageScan,
/// each refused the other's operations with AccessDeniedException (403). On a real standalone process, signed as the AWS SDK signs.
/// </summary>
[NonParallelizable]
public sealed class EcrScopeTests
{
    private StandaloneHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => host = await StandaloneHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [TestCase("DescribeRepositories", "{}", StandaloneHost.EcrReadKey, false)]
    [TestCase("GetRegistryScanningConfiguration", "{}", StandaloneHost.EcrReadKey, false)]
    [TestCase("PutRegistryScanningConfiguration", """{"scanType":"BASIC","rules":[]}""", StandaloneHost.EcrReadKey, true)]
    [TestCase("StartImageScan", """{"repositoryName":"demo/app","imageId":{"imageTag":"v1"}}""", StandaloneHost.EcrReadKey, true)]
    [TestCase("DescribeRepositories", "{}", StandaloneHost.EcrWriteKey, true)]
    [TestCase("PutRegistryScanningConfiguration", """{"scanType":"BASIC","rules":[]}""", StandaloneHost.EcrWriteKey, false)]
    public async Task An_access_key_may_call_only_the_operations_of_its_scopes(string operation, string body, string key, bool denied)
    {
        var response = await host.Client.SendAsync(Signed(operation, body, key));
        var answer = await response.Content.ReadAsStringAsync();
        var type = JsonDocument.Parse(answer).RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;

        if (denied)
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), answer);
                Assert.That(type, Is.EqualTo("AccessDeniedException"));
                Assert.That(answer, Does.Contain("ecr:" + operation));
            });
        else
            Assert.That(type, Is.Not.AnyOf("AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"), answer);
    }

    private HttpRequestMessage Signed(string operation, string body, string accessKeyId)
    {
        var at = DateTimeOffset.UtcNow;
        var date = at.UtcDateTime.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture);
        var host = this.host.Client.BaseAddress!.Authority;
        var target = EcrEndpoint.TargetPrefix + operation;
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", host), new("Content-Type", EcrEndpoint.ContentType), new("X-Amz-Target", target), new("X-Amz-Date", date),
        };
        string[] names = ["content-type", "host", "x-amz-date", "x-amz-target"];
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = SigV4Signer.Sign(new SignableRequest("POST", "/", "", headers, bytes), names,
            accessKeyId == StandaloneHost.EcrReadKey ? StandaloneHost.EcrReadSecret : StandaloneHost.EcrWriteSecret, at, "us-east-1", EcrEndpoint.SigningName);
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", EcrEndpoint.ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", date);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{date[..8]}/us-east-1/{EcrEndpoint.SigningName}/aws4_request, SignedHeaders={string.Join(';', names)}, Signature={signature}");
        return request;
    }
}
