using System.Net;
using System.Text.Json.Nodes;
using ImageScanning.Gateway.Harbor;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.Services.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.Services.Tests.Gateway.Harbor.HarborPlatform;

namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>
/// Every operation's answers other than a finished report, against the spec: metadata per version, the refusals of POST /scan
/// (400 bad JSON, 422 bad fields and unconfigured registries, 501 capabilities it lacks), a report's 302/404/400/501/500, and
/// the token scope.
/// </summary>
[NonParallelizable]
public sealed class HarborRequestTests
{
    private const string Report = "/scan/{scan_request_id}/report";

    [TestCase("1.2", HarborMediaTypes.MetadataV11)]
    [TestCase("1.2", HarborMediaTypes.MetadataV10)]
    [TestCase("1.1", HarborMediaTypes.MetadataV10)]
    [TestCase("1.0", HarborMediaTypes.MetadataV10)]
    public async Task Metadata_validates_against_the_spec(string version, string mediaType)
    {
        var response = await GetAsync("/harbor/api/v1/metadata", mediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(mediaType));
        Assert.That(HarborSpec.Errors(HarborSpec.Load(version).ResponseSchema("/metadata", "get", 200, mediaType), body), Is.Empty);
    }

    [Test]
    public async Task Metadata_names_the_capabilities_and_the_advisory_database_time()
    {
        var metadata = JsonNode.Parse(await (await GetAsync("/harbor/api/v1/metadata", HarborMediaTypes.MetadataV11)).Content.ReadAsStringAsync())!;
        var updated = await Host.Services.GetRequiredService<IAdvisoryStore>().LastChangedAsync();
        var capabilities = metadata["capabilities"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(capabilities.Select(c => (string?)c!["type"]), Is.EqualTo(new[] { "vulnerability", "sbom" }));
            Assert.That(capabilities[0]!["consumes_mime_types"]!.AsArray().Select(m => (string?)m),
                Is.EquivalentTo(new[] { HarborMediaTypes.OciManifest, HarborMediaTypes.DockerManifest }));
            Assert.That(capabilities[0]!["produces_mime_types"]!.AsArray().Select(m => (string?)m), Does.Contain(HarborMediaTypes.SecurityReportV11));
            Assert.That(capabilities[1]!["additional_attributes"]!["sbom_media_types"]!.AsArray().Select(m => (string?)m),
                Is.EquivalentTo(new[] { HarborMediaTypes.Spdx, HarborMediaTypes.CycloneDx }));
            Assert.That((string?)metadata["properties"]![HarborMetadata.ScannerTypeProperty], Is.EqualTo("os-package-vulnerability"));
            Assert.That(updated, Is.Not.Null, "the fixture stored an advisory");
            Assert.That(DateTimeOffset.Parse((string)metadata["properties"]![HarborMetadata.DatabaseUpdatedAtProperty]!, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(updated!.Value).Within(TimeSpan.FromMilliseconds(1)));
        });
        var v10 = JsonNode.Parse(await (await GetAsync("/harbor/api/v1/metadata", HarborMediaTypes.MetadataV10)).Content.ReadAsStringAsync())!;
        Assert.That(v10.ToJsonString(), Is.EqualTo(metadata.ToJsonString()),
            "the same document as 1.0: Harbor's client asks for metadata 1.0, also the releases that read SBOMs");
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string path, string method, string messagePart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(HarborMediaTypes.Error));
        var schema = HarborSpec.Load("1.2").ResponseSchema(path, method, (int)status, HarborMediaTypes.Error);
        Assert.That(HarborSpec.Errors(schema, body), Is.Empty);
        Assert.That((string?)JsonNode.Parse(body)!["error"]!["message"], Does.Contain(messagePart));
    }

    [Test]
    public async Task A_registry_url_nobody_configured_is_refused_naming_it_and_never_contacted()
    {
        var before = Registry.LogPosition;
        var response = await PostScanAsync(ScanRequest("https://registry.attacker.test", Image.Digest, BasicAuthorization));
        await AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "/scan", "post", "'https://registry.attacker.test'");
        await Registry.SyncLogAsync();
        Assert.That(Registry.Fetches(from: before), Is.Empty, "a refused request pulls nothing");
    }

    [Test]
    public async Task A_credential_inside_registry_url_is_refused_and_never_repeated()
    {
        var url = Registry.Url.ToString().Replace("http://", "http://robot:url-secret-Xk29@", StringComparison.Ordinal);
        var response = await PostScanAsync(ScanRequest(url, Image.Digest, BasicAuthorization));
        await AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "/scan", "post", "***@");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("url-secret-Xk29"));
        Assert.That(Host.Logs.Entries.Where(e => e.Message.Contains("url-secret-Xk29", StringComparison.Ordinal)), Is.Empty);
    }

    [TestCase("{\"registry\":", "not valid JSON")]
    [TestCase("[1,2]", "JSON object")]
    [TestCase("{\"registry\":{\"url\":\"http://a\",\"url\":\"http://b\"},\"artifact\":{}}", "Duplicate property")]
    [TestCase("{\"registry\":\"x\",\"artifact\":{}}", "registry must be an object")]
    [TestCase("{\"registry\":{\"url\":5},\"artifact\":{}}", "registry.url must be a string")]
    public async Task Invalid_json_is_a_400(string body, string messagePart) =>
        await AssertErrorAsync(await PostScanAsync(body), HttpStatusCode.BadRequest, "/scan", "post", messagePart);

    [TestCase("""{"artifact":{"repository":"library/debian","digest":"sha256:00"}}""", "registry is required")]
    [TestCase("""{"registry":{"url":"http://harbor-core.test:8080"}}""", "artifact is required")]
    [TestCase("""{"registry":{"url":""},"artifact":{}}""", "registry.url is required")]
    [TestCase("""{"registry":{"url":"http://harbor-core.test:8080"},"artifact":{"repository":"Library/Debian","digest":"sha256:00"}}""", "artifact.repository")]
    [TestCase("""{"registry":{"url":"http://harbor-core.test:8080"},"artifact":{"repository":"library/debian","digest":"md5:00"}}""", "artifact.digest")]
    public async Task Missing_or_invalid_fields_are_a_422(string body, string messagePart) =>
        await AssertErrorAsync(await PostScanAsync(body), HttpStatusCode.UnprocessableEntity, "/scan", "post", messagePart);

    [Test]
    public async Task An_artifact_type_or_capability_it_lacks_is_a_501()
    {
        var helm = ScanRequest(Registry.Url.ToString(), Image.Digest, BasicAuthorization)
            .Replace("application/vnd.oci.image.manifest.v1+json", "application/vnd.cncf.helm.config.v1+json");
        await AssertErrorAsync(await PostScanAsync(helm), HttpStatusCode.NotImplemented, "/scan", "post", "helm");
        var raw = ScanRequest(Registry.Url.ToString(), Image.Digest, BasicAuthorization,
            """[{"type":"vulnerability","produces_mime_types":["application/vnd.scanner.adapter.vuln.report.raw"]}]""");
        await AssertErrorAsync(await PostScanAsync(raw), HttpStatusCode.NotImplemented, "/scan", "post", "report.raw");
    }

    [Test]
    public async Task A_v1_2_request_with_enabled_capabilities_is_accepted()
    {
        var body = ScanRequest("http://harbor-core.test:8080", Image.Digest, BasicAuthorization,
            """[{"type":"sbom","produces_mime_types":["application/vnd.security.sbom.report+json; version=1.0"],"parameters":{"sbom_media_types":["application/spdx+json"]}}]""");
        Assert.That(HarborSpec.Errors(HarborSpec.Load("1.2").Schema("ScanRequest"), body), Is.Empty, "the request is Harbor-shaped");
        var response = await PostScanAsync(body, contentType: HarborMediaTypes.ScanRequestV11);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_body_that_is_no_scan_request_media_type_is_a_400() =>
        await AssertErrorAsync(await PostScanAsync(ScanRequest(Registry.Url.ToString(), Image.Digest, BasicAuthorization), contentType: "text/plain"),
            HttpStatusCode.BadRequest, "/scan", "post", "text/plain");

    [Test]
    public void The_test_requests_are_valid_scan_requests_of_every_spec_version()
    {
        foreach (var version in new[] { "1.0", "1.1", "1.2" })
            Assert.That(HarborSpec.Errors(HarborSpec.Load(version).Schema("ScanRequest"), ScanRequest(Registry.Url.ToString(), Image.Digest, BasicAuthorization)),
                Is.Empty, version);
    }

    [TestCase("no-such-id")]
    [TestCase("eyJyIjoibG9jYWwifQ")] // {"r":"local"}: decodes, but names no artifact
    public async Task An_unknown_scan_request_id_is_a_404(string id)
    {
        var response = await GetAsync(ReportPath(id), HarborMediaTypes.SecurityReportV11);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_id_of_an_artifact_the_platform_does_not_hold_is_a_404()
    {
        var id = new HarborScanRequestId("local", "library/none", "sha256:" + new string('a', 64), null, null, 0, 0).Encode();
        Assert.That((await GetAsync(ReportPath(id), HarborMediaTypes.SecurityReportV11)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>An id for the fixture's image whose result must be newer than any: its report is still being generated.</summary>
    private static string PendingId(TimeSpan acceptedAgo)
    {
        var now = DateTimeOffset.UtcNow;
        return new HarborScanRequestId("local", Repository, Image.Digest, Tag, null,
            (now - acceptedAgo).ToUnixTimeMilliseconds(), now.AddDays(1).ToUnixTimeMilliseconds()).Encode();
    }

    [Test]
    public async Task A_report_not_ready_is_a_302_with_refresh_after()
    {
        await PollReportAsync(await ScannedIdAsync(), HarborMediaTypes.SecurityReportV11); // the image is catalogued
        var response = await GetAsync(ReportPath(PendingId(TimeSpan.Zero)), HarborMediaTypes.SecurityReportV11);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
        Assert.That(response.Headers.GetValues("Refresh-After").Single(), Is.EqualTo("2"));
    }

    [Test]
    public async Task A_report_that_never_comes_ends_in_a_500()
    {
        await PollReportAsync(await ScannedIdAsync(), HarborMediaTypes.SecurityReportV11);
        var response = await GetAsync(ReportPath(PendingId(TimeSpan.FromHours(2))), HarborMediaTypes.SecurityReportV11);
        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, Report, "get", "has not finished within");
    }

    [Test]
    public async Task A_report_type_it_lacks_is_a_501_and_an_sbom_without_its_format_a_400()
    {
        var id = await ScannedIdAsync();
        await AssertErrorAsync(await GetAsync(ReportPath(id), "application/vnd.scanner.adapter.vuln.report.raw"),
            HttpStatusCode.NotImplemented, Report, "get", "report.raw");
        await AssertErrorAsync(await GetAsync(ReportPath(id), HarborMediaTypes.SbomReport), HttpStatusCode.BadRequest, Report, "get", "sbom_media_type");
        await AssertErrorAsync(await GetAsync(ReportPath(id, "text/spdx"), HarborMediaTypes.SbomReport), HttpStatusCode.BadRequest, Report, "get", "text/spdx");
    }

    private static async Task<string> ScannedIdAsync()
    {
        var response = await PostScanAsync(ScanRequest(Registry.Url.ToString(), Image.Digest, BasicAuthorization));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

    [Test]
    public async Task Only_the_harbor_scanner_scope_opens_the_api_and_it_opens_nothing_else()
    {
        foreach (var scope in TokenScopes.All.Where(s => s != TokenScopes.HarborScanner))
            Assert.That((await GetAsync("/harbor/api/v1/metadata", HarborMediaTypes.MetadataV11, StandaloneHost.TokenFor(scope))).StatusCode,
                Is.EqualTo(HttpStatusCode.Forbidden), scope);
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/harbor/api/v1/metadata");
        Assert.That((await Host.Client.SendAsync(anonymous)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await GetAsync("/api/v1/findings", "application/json")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            "a Harbor token cannot read the REST API");
    }
}
