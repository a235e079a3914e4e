using ImageScanning.Gateway.Inspector2.Operations;
using ImageScanning.Gateway.Inspector2.SbomExports;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.Services.Tests.Gateway.Inspector2.Inspector2Services;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>
/// The requests ListCoverage, ListCoverageStatistics, ListFindingAggregations, SearchVulnerabilities and CreateSbomExport refuse
/// before asking any service: the filters this platform cannot apply are named, never ignored.
/// </summary>
public sealed class Inspector2ValidationTests
{
    private ServiceProvider _services = null!;
    private string _exports = "";

    [OneTimeSetUp]
    public void CreateServices()
    {
        _exports = Directory.CreateTempSubdirectory("inspector2-exports-").FullName;
        _services = Create(buckets: new SbomExportDestination { BucketName = "sboms", Directory = _exports });
    }

    [OneTimeTearDown]
    public void DisposeServices()
    {
        _services.Dispose();
        Directory.Delete(_exports, recursive: true);
    }

    [TestCase("""{"maxResults":0}""", "maxResults", TestName = "ListCoverage maxResults 0")]
    [TestCase("""{"maxResults":201}""", "maxResults", TestName = "ListCoverage maxResults 201")]
    [TestCase("""{"filterCriteria":{"lambdaFunctionName":[{"comparison":"EQUALS","value":"f"}]}}""", "lambdaFunctionName", TestName = "ListCoverage lambda filter")]
    [TestCase("""{"filterCriteria":{"ecrImageInUseCount":[{"lowerInclusive":1}]}}""", "ecrImageInUseCount", TestName = "ListCoverage in-use filter")]
    [TestCase("""{"filterCriteria":{"resourceType":[{"comparison":"PREFIX","value":"AWS"}]}}""", "resourceType", TestName = "ListCoverage PREFIX comparison")]
    [TestCase("""{"filterCriteria":{"noSuchMember":[]}}""", "noSuchMember", TestName = "ListCoverage unknown member")]
    [TestCase("""{"filterCriteria":{"lastScannedAt":[{"startInclusive":"yesterday"}]}}""", "lastScannedAt", TestName = "ListCoverage malformed date")]
    [TestCase("""{"nextToken":"forged"}""", "nextToken", TestName = "ListCoverage forged nextToken")]
    public void ListCoverage_refuses(string body, string field) => AssertRefused(CoverageOperations.ListCoverageAsync, body, field);

    [Test]
    public void ListCoverage_allows_ten_filters_per_member_and_no_more()
    {
        var eleven = "[" + string.Join(',', Enumerable.Range(0, 11).Select(i => $$$"""{"comparison":"EQUALS","value":"r{{{i}}}"}""")) + "]";
        AssertRefused(CoverageOperations.ListCoverageAsync, $$$"""{"filterCriteria":{"ecrRepositoryName":{{{eleven}}}}}""", "ecrRepositoryName");
    }

    [TestCase("""{"groupBy":"LAMBDA_FUNCTION_NAME"}""", "groupBy", TestName = "ListCoverageStatistics unknown groupBy")]
    [TestCase("""{"nextToken":"forged"}""", "nextToken", TestName = "ListCoverageStatistics nextToken")]
    public void ListCoverageStatistics_refuses(string body, string field) => AssertRefused(CoverageOperations.ListCoverageStatisticsAsync, body, field);

    [TestCase("""{}""", "aggregationType", TestName = "ListFindingAggregations without aggregationType")]
    [TestCase("""{"aggregationType":"AMI"}""", "aggregationType", TestName = "ListFindingAggregations AMI")]
    [TestCase("""{"aggregationType":"AWS_LAMBDA_FUNCTION"}""", "aggregationType", TestName = "ListFindingAggregations Lambda")]
    [TestCase("""{"aggregationType":"REPOSITORY","maxResults":101}""", "maxResults", TestName = "ListFindingAggregations maxResults 101")]
    [TestCase("""{"aggregationType":"REPOSITORY","aggregationRequest":{"packageAggregation":{}}}""", "aggregationRequest", TestName = "ListFindingAggregations another type's member")]
    [TestCase("""{"aggregationType":"AWS_ECR_CONTAINER","aggregationRequest":{"awsEcrContainerAggregation":{"architectures":[{"comparison":"EQUALS","value":"amd64"}]}}}""",
        "architectures", TestName = "ListFindingAggregations architectures")]
    [TestCase("""{"aggregationType":"AWS_ECR_CONTAINER","aggregationRequest":{"awsEcrContainerAggregation":{"imageTags":[{"comparison":"EQUALS","value":"v1"}]}}}""",
        "imageTags", TestName = "ListFindingAggregations imageTags")]
    [TestCase("""{"aggregationType":"IMAGE_LAYER","aggregationRequest":{"imageLayerAggregation":{"resourceIds":[{"comparison":"PREFIX","value":"arn:aws:ecr"}]}}}""",
        "resourceIds", TestName = "ListFindingAggregations PREFIX resourceIds")]
    [TestCase("""{"aggregationType":"PACKAGE","aggregationRequest":{"packageAggregation":{"sortBy":"AFFECTED_IMAGES"}}}""", "sortBy", TestName = "ListFindingAggregations AFFECTED_IMAGES for packages")]
    [TestCase("""{"aggregationType":"TITLE","aggregationRequest":{"titleAggregation":{"titles":[{"comparison":"CONTAINS","value":"x"}]}}}""", "titles", TestName = "ListFindingAggregations unknown comparison")]
    public void ListFindingAggregations_refuses(string body, string field) => AssertRefused(AggregationOperations.ListFindingAggregationsAsync, body, field);

    [Test]
    public async Task ListFindingAggregations_for_another_account_or_resource_type_is_empty_without_asking_findings()
    {
        var otherAccount = await AggregationOperations.ListFindingAggregationsAsync(Call(_services,
            """{"aggregationType":"REPOSITORY","accountIds":[{"comparison":"EQUALS","value":"999999999999"}]}"""));
        var lambdaTitles = await AggregationOperations.ListFindingAggregationsAsync(Call(_services,
            """{"aggregationType":"TITLE","aggregationRequest":{"titleAggregation":{"resourceType":"AWS_LAMBDA_FUNCTION"}}}"""));
        Assert.Multiple(() =>
        {
            Assert.That(otherAccount.ToJsonString(), Is.EqualTo("""{"aggregationType":"REPOSITORY","responses":[]}"""));
            Assert.That(lambdaTitles.ToJsonString(), Is.EqualTo("""{"aggregationType":"TITLE","responses":[]}"""));
        });
    }

    [TestCase("""{}""", "filterCriteria", TestName = "SearchVulnerabilities without filterCriteria")]
    [TestCase("""{"filterCriteria":{"vulnerabilityIds":[]}}""", "vulnerabilityIds", TestName = "SearchVulnerabilities no id")]
    [TestCase("""{"filterCriteria":{"vulnerabilityIds":["CVE-2024-1","CVE-2024-2"]}}""", "vulnerabilityIds", TestName = "SearchVulnerabilities two ids")]
    [TestCase("""{"filterCriteria":{"vulnerabilityIds":["GHSA-aaaa-bbbb-cccc"]}}""", "vulnerabilityIds", TestName = "SearchVulnerabilities not a CVE id")]
    public void SearchVulnerabilities_refuses(string body, string field) => AssertRefused(VulnerabilityOperations.SearchVulnerabilitiesAsync, body, field);

    private const string Kms = "arn:aws:kms:us-west-2:123456789012:key/0000";

    [TestCase($$$"""{"s3Destination":{"bucketName":"sboms","kmsKeyArn":"{{{Kms}}}"}}""", "reportFormat", TestName = "CreateSbomExport without reportFormat")]
    [TestCase($$$"""{"reportFormat":"CYCLONEDX_1_5","s3Destination":{"bucketName":"sboms","kmsKeyArn":"{{{Kms}}}"}}""", "reportFormat", TestName = "CreateSbomExport CYCLONEDX_1_5")]
    [TestCase("""{"reportFormat":"SPDX_2_3"}""", "s3Destination", TestName = "CreateSbomExport without s3Destination")]
    [TestCase("""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"sboms"}}""", "kmsKeyArn", TestName = "CreateSbomExport without kmsKeyArn")]
    [TestCase($$$"""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"elsewhere","kmsKeyArn":"{{{Kms}}}"}}""", "bucketName", TestName = "CreateSbomExport unknown bucket")]
    [TestCase($$$"""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"sboms","keyPrefix":"../up","kmsKeyArn":"{{{Kms}}}"}}""", "keyPrefix", TestName = "CreateSbomExport keyPrefix with ..")]
    [TestCase($$$"""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"sboms","keyPrefix":"/root","kmsKeyArn":"{{{Kms}}}"}}""", "keyPrefix", TestName = "CreateSbomExport absolute keyPrefix")]
    [TestCase($$$"""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"sboms","kmsKeyArn":"{{{Kms}}}"},"resourceFilterCriteria":{"lambdaFunctionName":[{"comparison":"EQUALS","value":"f"}]}}""",
        "lambdaFunctionName", TestName = "CreateSbomExport lambda filter")]
    [TestCase($$$"""{"reportFormat":"SPDX_2_3","s3Destination":{"bucketName":"sboms","kmsKeyArn":"{{{Kms}}}"},"resourceFilterCriteria":{"scanStatusCode":[{"comparison":"EQUALS","value":"ACTIVE"}]}}""",
        "scanStatusCode", TestName = "CreateSbomExport coverage-only member")]
    public void CreateSbomExport_refuses(string body, string field) => AssertRefused(SbomExportOperations.CreateSbomExportAsync, body, field);

    [Test]
    public void GetSbomExport_of_an_unknown_report_is_resource_not_found()
    {
        var error = ErrorOf(_services, SbomExportOperations.GetSbomExportAsync, $$$"""{"reportId":"{{{Guid.NewGuid()}}}"}""");
        Assert.That((error.Type, error.Status), Is.EqualTo(("ResourceNotFoundException", 404)));
    }

    [Test]
    public async Task CreateSbomExport_answers_a_report_that_GetSbomExport_knows_with_what_was_asked()
    {
        var body = $$$"""{"reportFormat":"CYCLONEDX_1_4","s3Destination":{"bucketName":"sboms","keyPrefix":"team/a","kmsKeyArn":"{{{Kms}}}"},"resourceFilterCriteria":{"ecrRepositoryName":[{"comparison":"EQUALS","value":"app"}]}}""";
        var created = await SbomExportOperations.CreateSbomExportAsync(Call(_services, body));
        var reportId = (string)created["reportId"]!;
        var report = await SbomExportOperations.GetSbomExportAsync(Call(_services, $$$"""{"reportId":"{{{reportId}}}"}"""));
        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(reportId, out _), Is.True, reportId);
            Assert.That((string?)report["format"], Is.EqualTo("CYCLONEDX_1_4"));
            Assert.That((string?)report["status"], Is.EqualTo("IN_PROGRESS"), "no worker runs here: it stays queued");
            Assert.That((string?)report["s3Destination"]!["keyPrefix"], Is.EqualTo("team/a"));
            Assert.That((string?)report["filterCriteria"]!["ecrRepositoryName"]![0]!["value"], Is.EqualTo("app"));
            Assert.That(report["errorCode"], Is.Null);
        });
    }

    private void AssertRefused(ImageScanning.Gateway.Inspector2.Inspector2Endpoint.Operation operation, string body, string field)
    {
        var error = ErrorOf(_services, operation, body);
        Assert.Multiple(() =>
        {
            Assert.That((error.Type, error.Status), Is.EqualTo(("ValidationException", 400)), error.Message);
            Assert.That(error.Field, Is.EqualTo(field), error.Message);
        });
    }
}
