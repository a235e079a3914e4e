using System.Net;
using System.Text.Json.Nodes;
using ImageScanning.Gateway.Harbor;
using static ImageScanning.Services.Tests.Gateway.Harbor.HarborPlatform;

namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>
/// Harbor's scan flow end to end on the real platform: POST /scan of the image pushed to the real docker-registry (which the
/// platform had not catalogued) drives a real scan, and each report type Harbor can ask for is polled until ready and validated
/// against the schemas of the spec versions that define it.
/// </summary>
[NonParallelizable]
public sealed class HarborScanFlowTests
{
    private static string _id = "";
    private static JsonObject _report11 = null!;

    [OneTimeSetUp]
    public async Task ScanAsHarborDoes()
    {
        var accepted = await PostScanAsync(ScanRequest(Registry.Url.ToString().TrimEnd('/'), Image.Digest, BasicAuthorization));
        var body = await accepted.Content.ReadAsStringAsync();
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        Assert.That(accepted.Content.Headers.ContentType!.ToString(), Is.EqualTo(HarborMediaTypes.ScanResponse));
        foreach (var version in new[] { "1.0", "1.1", "1.2" })
            Assert.That(HarborSpec.Errors(HarborSpec.Load(version).ResponseSchema("/scan", "post", 202, HarborMediaTypes.ScanResponse), body), Is.Empty, version);
        _id = (string)JsonNode.Parse(body)!["id"]!;

        var (report, redirects) = await PollReportAsync(_id, HarborMediaTypes.SecurityReportV11);
        var text = await report.Content.ReadAsStringAsync();
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        foreach (var redirect in redirects)
            Assert.That(redirect.Headers.GetValues("Refresh-After").Single(), Is.EqualTo("2"), "a 302 says when to ask again");
        _report11 = JsonNode.Parse(text)!.AsObject();
        // Kept beside the test assembly for a look at what Harbor would receive.
        await File.WriteAllTextAsync(Path.Combine(TestContext.CurrentContext.WorkDirectory, "harbor-report-v1.1.json"), text);
    }

    [TestCase("1.1")]
    [TestCase("1.2")]
    public async Task The_v1_1_report_validates_against_the_spec(string version)
    {
        var response = await GetAsync(ReportPath(_id), HarborMediaTypes.SecurityReportV11);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(HarborMediaTypes.SecurityReportV11));
        var schema = HarborSpec.Load(version).ResponseSchema("/scan/{scan_request_id}/report", "get", 200, HarborMediaTypes.SecurityReportV11);
        Assert.That(HarborSpec.Errors(schema, body), Is.Empty);
    }

    [Test]
    public void The_report_holds_the_stored_findings_of_the_scanned_image()
    {
        var vulnerabilities = _report11["vulnerabilities"]!.AsArray().Select(v => v!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string?)_report11["artifact"]!["digest"], Is.EqualTo(Image.Digest));
            Assert.That((string?)_report11["artifact"]!["repository"], Is.EqualTo(Repository));
            Assert.That((string?)_report11["artifact"]!["tag"], Is.EqualTo(Tag));
            Assert.That((string?)_report11["scanner"]!["name"], Is.EqualTo(HarborScanner.Name));
            Assert.That(vulnerabilities.Select(v => (string?)v["package"]), Is.EquivalentTo(new[] { "acl", "libacl1" }),
                "the binary packages of source acl, as dpkg lists them");
            foreach (var v in vulnerabilities)
            {
                Assert.That((string?)v["id"], Is.EqualTo(AdvisoryId));
                Assert.That((string?)v["version"], Is.EqualTo("2.3.1-3"));
                Assert.That((string?)v["fix_version"], Is.EqualTo("2.3.1-4"));
                Assert.That((string?)v["severity"], Is.EqualTo("Critical"), "CVSS 3.1 base 9.8");
                Assert.That((string?)v["description"], Does.Contain("crafted ACL"));
                Assert.That((string?)v["preferred_cvss"]!["vector_v3"], Is.EqualTo(CvssVector));
                Assert.That((double?)v["preferred_cvss"]!["score_v3"], Is.EqualTo(9.8).Within(0.05));
                Assert.That(v["vendor_attributes"]!["aliases"]!.AsArray().Select(a => (string?)a), Does.Contain(CveId));
                Assert.That(v["links"]!.AsArray().Select(a => (string?)a), Is.EqualTo(new[] { AdvisoryUrl }));
            }
            Assert.That((string?)_report11["severity"], Is.EqualTo("Critical"), "the report's severity is its worst vulnerability's");
        });
    }

    [TestCase("1.0")]
    [TestCase("1.1")]
    [TestCase("1.2")]
    public async Task The_v1_0_report_validates_and_has_only_the_v1_0_fields(string version)
    {
        var response = await GetAsync(ReportPath(_id), HarborMediaTypes.HarborReportV10);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(HarborMediaTypes.HarborReportV10));
        var schema = HarborSpec.Load(version).ResponseSchema("/scan/{scan_request_id}/report", "get", 200, HarborMediaTypes.HarborReportV10);
        Assert.That(HarborSpec.Errors(schema, body), Is.Empty);
        var first = JsonNode.Parse(body)!["vulnerabilities"]![0]!.AsObject();
        Assert.That(first.Select(p => p.Key), Is.SubsetOf(new[] { "id", "package", "version", "fix_version", "severity", "description", "links" }));
    }

    [TestCase(HarborMediaTypes.Spdx, "spdxVersion")]
    [TestCase(HarborMediaTypes.CycloneDx, "bomFormat")]
    public async Task The_sbom_report_of_spec_v1_2_wraps_the_platform_sbom(string sbomMediaType, string documentMember)
    {
        var response = await GetAsync(ReportPath(_id, sbomMediaType), HarborMediaTypes.SbomReport);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(HarborMediaTypes.SbomReport));
        var schema = HarborSpec.Load("1.2").ResponseSchema("/scan/{scan_request_id}/report", "get", 200, HarborMediaTypes.SbomReport);
        Assert.That(HarborSpec.Errors(schema, body), Is.Empty);
        var report = JsonNode.Parse(body)!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)report["media_type"], Is.EqualTo(sbomMediaType));
            Assert.That(report["sbom"]![documentMember], Is.Not.Null);
            Assert.That(report["sbom"]!.ToJsonString(), Does.Contain("libacl1"), "the image's packages");
        });
    }

    [Test]
    public async Task A_second_request_with_a_bearer_credential_answers_from_the_latest_result()
    {
        // Harbor 2.x sends its robot's token as "Bearer ..."; the manual-scan quota is spent, so the latest result answers.
        var accepted = await PostScanAsync(ScanRequest("http://harbor-core.test:8080", Image.Digest, "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
        var body = await accepted.Content.ReadAsStringAsync();
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        var (report, _) = await PollReportAsync((string)JsonNode.Parse(body)!["id"]!, HarborMediaTypes.SecurityReportV11, timeout: TimeSpan.FromSeconds(30));
        var text = await report.Content.ReadAsStringAsync();
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(JsonNode.Parse(text)!["vulnerabilities"]!.AsArray(), Has.Count.EqualTo(_report11["vulnerabilities"]!.AsArray().Count));
    }

    [Test]
    public async Task An_image_pushed_as_a_docker_v2_manifest_is_scanned_too()
    {
        var accepted = await PostScanAsync(ScanRequest(Registry.Url.ToString(), DockerImage.Digest, BasicAuthorization,
            repository: DockerRepository, mimeType: HarborMediaTypes.DockerManifest));
        var body = await accepted.Content.ReadAsStringAsync();
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        var (report, _) = await PollReportAsync((string)JsonNode.Parse(body)!["id"]!, HarborMediaTypes.SecurityReportV11);
        var text = await report.Content.ReadAsStringAsync();
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var parsed = JsonNode.Parse(text)!;
        Assert.Multiple(() =>
        {
            Assert.That(DockerImage.Digest, Is.Not.EqualTo(Image.Digest), "a manifest of its own");
            Assert.That((string?)parsed["artifact"]!["mime_type"], Is.EqualTo(HarborMediaTypes.DockerManifest));
            Assert.That(parsed["vulnerabilities"]!.AsArray().Select(v => (string?)v!["package"]), Is.EquivalentTo(new[] { "acl", "libacl1" }));
        });
    }

    [Test]
    public void Harbor_pull_credential_is_never_logged()
    {
        var secret = BasicAuthorization["Basic ".Length..];
        var leaks = Host.Logs.Entries.Where(e => e.Message.Contains(secret, StringComparison.Ordinal)
            || e.Message.Contains(HarborRobotSecret, StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.That(leaks, Is.Empty);
    }

    [Test]
    public async Task A_scan_that_fails_is_reported_as_a_500_error_response()
    {
        // A digest the registry does not hold: the platform catalogues it from Harbor's request, and its scan fails.
        var missing = "sha256:" + new string('0', 63) + "1";
        var accepted = await PostScanAsync(ScanRequest(Registry.Url.ToString(), missing, BasicAuthorization));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var (report, _) = await PollReportAsync((string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["id"]!, HarborMediaTypes.SecurityReportV11);
        var body = await report.Content.ReadAsStringAsync();
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), body);
        var schema = HarborSpec.Load("1.2").ResponseSchema("/scan/{scan_request_id}/report", "get", 500, HarborMediaTypes.Error);
        Assert.That(HarborSpec.Errors(schema, body), Is.Empty);
        Assert.That((string?)JsonNode.Parse(body)!["error"]!["message"], Does.Contain(missing));
    }
}
