using ImageScanning.Gateway.Aws;
using ImageScanning.ServiceDefaults.Aws;
using System.Text;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Ecr.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>
/// Each operation's request validation, with ECR's error names. These requests never reach the bus: the service provider
/// holds no request clients, so an operation that asked a service instead of refusing would fail the test differently.
/// </summary>
public sealed class EcrOperationValidationTests
{
    private static readonly EcrRegistries Registries = new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = "local",
            ["Registries:0:Url"] = "http://127.0.0.1:5000",
        }).Build(),
        Options.Create(new AwsOptions { AccountId = "123456789012" }));

    private ServiceProvider _noServices = null!;

    [OneTimeSetUp]
    public void CreateServices() => _noServices = new ServiceCollection().AddSingleton(Options.Create(new AwsOptions())).BuildServiceProvider();

    [OneTimeTearDown]
    public void DisposeServices() => _noServices.Dispose();

    private string ErrorOf(Func<EcrCall, Task> operation, string body)
    {
        var call = new EcrCall(EcrRequest.Parse(Encoding.UTF8.GetBytes(body)), Registries, _noServices, CancellationToken.None);
        return Assert.ThrowsAsync<EcrException>(() => operation(call))!.Type;
    }

    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [TestCase("{}", "ValidationException", TestName = "StartImageScan without repositoryName")]
    [TestCase("""{"repositoryName":"Upper/Case","imageId":{"imageTag":"v1"}}""", "InvalidParameterException", TestName = "StartImageScan with an upper-case repository")]
    [TestCase("""{"repositoryName":"a","imageId":{"imageTag":"v1"}}""", "InvalidParameterException", TestName = "StartImageScan with a one-character repository")]
    [TestCase("""{"repositoryName":"app--","imageId":{"imageTag":"v1"}}""", "InvalidParameterException", TestName = "StartImageScan with a trailing separator")]
    [TestCase("""{"repositoryName":"app"}""", "ValidationException", TestName = "StartImageScan without imageId")]
    [TestCase("""{"repositoryName":"app","imageId":{}}""", "InvalidParameterException", TestName = "StartImageScan with an empty imageId")]
    [TestCase("""{"repositoryName":"app","imageId":{"imageDigest":"not a digest"}}""", "InvalidParameterException", TestName = "StartImageScan with a malformed digest")]
    [TestCase("""{"repositoryName":42,"imageId":{"imageTag":"v1"}}""", "SerializationException", TestName = "StartImageScan with a number for a name")]
    [TestCase("""{"registryId":"abc","repositoryName":"app","imageId":{"imageTag":"v1"}}""", "InvalidParameterException", TestName = "StartImageScan with a malformed registryId")]
    [TestCase("""{"registryId":"999999999999","repositoryName":"app","imageId":{"imageTag":"v1"}}""", "InvalidParameterException", TestName = "StartImageScan in an unknown registry")]
    public void StartImageScan_validation(string body, string expected) =>
        Assert.That(ErrorOf(ImageOperations.StartImageScanAsync, body), Is.EqualTo(expected));

    [TestCase($$"""{"repositoryName":"app","imageId":{"imageDigest":"{{Digest}}"},"maxResults":0}""", "InvalidParameterException", TestName = "DescribeImageScanFindings maxResults 0")]
    [TestCase($$"""{"repositoryName":"app","imageId":{"imageDigest":"{{Digest}}"},"maxResults":1001}""", "InvalidParameterException", TestName = "DescribeImageScanFindings maxResults 1001")]
    [TestCase($$"""{"repositoryName":"app","imageId":{"imageDigest":"{{Digest}}"},"nextToken":"forged"}""", "InvalidParameterException", TestName = "DescribeImageScanFindings forged nextToken")]
    [TestCase($$$"""{"imageId":{"imageDigest":"{{{Digest}}}"}}""", "ValidationException", TestName = "DescribeImageScanFindings without repositoryName")]
    public void DescribeImageScanFindings_validation(string body, string expected) =>
        Assert.That(ErrorOf(ScanFindingsOperation.DescribeImageScanFindingsAsync, body), Is.EqualTo(expected));

    [TestCase("""{"repositoryName":"app","imageIds":[{"imageTag":"v1"}],"maxResults":5}""", "InvalidParameterException", TestName = "DescribeImages imageIds with maxResults")]
    [TestCase("""{"repositoryName":"app","imageIds":[]}""", "InvalidParameterException", TestName = "DescribeImages empty imageIds")]
    [TestCase("""{"repositoryName":"app","maxResults":1001}""", "InvalidParameterException", TestName = "DescribeImages maxResults 1001")]
    [TestCase("""{"repositoryName":"app","imageIds":"v1"}""", "SerializationException", TestName = "DescribeImages imageIds not a list")]
    public void DescribeImages_validation(string body, string expected) =>
        Assert.That(ErrorOf(ImageOperations.DescribeImagesAsync, body), Is.EqualTo(expected));

    [TestCase("""{"repositoryNames":["app"],"maxResults":5}""", "InvalidParameterException", TestName = "DescribeRepositories names with maxResults")]
    [TestCase("""{"repositoryNames":["BAD"]}""", "InvalidParameterException", TestName = "DescribeRepositories invalid name")]
    [TestCase("""{"nextToken":"forged"}""", "InvalidParameterException", TestName = "DescribeRepositories forged nextToken")]
    public void DescribeRepositories_validation(string body, string expected) =>
        Assert.That(ErrorOf(ImageOperations.DescribeRepositoriesAsync, body), Is.EqualTo(expected));

    [Test]
    public void BatchGetRepositoryScanningConfiguration_validation()
    {
        var tooMany = "{\"repositoryNames\":[" + string.Join(',', Enumerable.Range(0, 26).Select(i => $"\"repo{i}\"")) + "]}";
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(ScanningConfigurationOperations.BatchGetRepositoryScanningConfigurationAsync, "{}"), Is.EqualTo("ValidationException"));
            Assert.That(ErrorOf(ScanningConfigurationOperations.BatchGetRepositoryScanningConfigurationAsync, """{"repositoryNames":[]}"""),
                Is.EqualTo("InvalidParameterException"));
            Assert.That(ErrorOf(ScanningConfigurationOperations.BatchGetRepositoryScanningConfigurationAsync, tooMany), Is.EqualTo("InvalidParameterException"));
            Assert.That(ErrorOf(ScanningConfigurationOperations.BatchGetRepositoryScanningConfigurationAsync, """{"repositoryNames":["ok","NOT-OK"]}"""),
                Is.EqualTo("InvalidParameterException"));
        });
    }

    [Test]
    public void PutImageScanningConfiguration_validation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(ScanningConfigurationOperations.PutImageScanningConfigurationAsync, """{"repositoryName":"app"}"""),
                Is.EqualTo("ValidationException"));
            Assert.That(ErrorOf(ScanningConfigurationOperations.PutImageScanningConfigurationAsync,
                """{"repositoryName":"app","imageScanningConfiguration":{"scanOnPush":"yes"}}"""), Is.EqualTo("SerializationException"));
        });
    }

    [Test]
    public void PutRegistryScanningConfiguration_refuses_unknown_enums_and_missing_rule_members_before_asking()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(ScanningConfigurationOperations.PutRegistryScanningConfigurationAsync, """{"scanType":"DEEP"}"""),
                Is.EqualTo("ValidationException"));
            Assert.That(ErrorOf(ScanningConfigurationOperations.PutRegistryScanningConfigurationAsync, """{"scanType":"BASIC","rules":[{"scanFrequency":"SCAN_ON_PUSH"}]}"""),
                Is.EqualTo("ValidationException"));
        });
    }

    [TestCase("{not json", TestName = "Malformed JSON")]
    [TestCase("[1,2]", TestName = "A JSON array body")]
    public void Bodies_that_are_not_json_objects_are_serialization_errors(string body) =>
        Assert.That(Assert.Throws<EcrException>(() => EcrRequest.Parse(Encoding.UTF8.GetBytes(body)))!.Type, Is.EqualTo("SerializationException"));

    [Test]
    public void Timestamps_are_epoch_seconds_with_milliseconds()
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1579839105123);
        Assert.That(EcrJson.Time(time)!.ToJsonString(), Is.EqualTo("1579839105.123"));
    }
}
