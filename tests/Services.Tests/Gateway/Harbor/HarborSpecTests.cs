namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>The schema check itself: it reads every spec version, and refuses what the spec forbids (so a passing check means something).</summary>
public sealed class HarborSpecTests
{
    private const string ValidReport = """
        {"generated_at":"2026-12-04T10:00:00.000Z","artifact":{"repository":"library/debian","digest":"sha256:aa"},
         "scanner":{"name":"ImageScanning","vendor":"v","version":"1"},"severity":"High",
         "vulnerabilities":[{"id":"CVE-1","package":"acl","version":"1","severity":"High","links":["https://example.org/CVE-1"],
           "preferred_cvss":{"score_v3":7.5,"vector_v3":"CVSS:3.1/AV:N"},"cwe_ids":[],"vendor_attributes":{}}]}
        """;

    [TestCase("1.0")]
    [TestCase("1.1")]
    [TestCase("1.2")]
    public void Each_spec_version_reads_and_accepts_a_valid_report(string version) =>
        Assert.That(HarborSpec.Errors(HarborSpec.Load(version).Schema("HarborVulnerabilityReport"), ValidReport), Is.Empty);

    [TestCase("\"version\":\"1\"},\"severity\":\"High\"", "\"version\":\"1\"},\"severity\":\"None\"", Description = "a report severity outside the enum")]
    [TestCase("\"links\":[\"https://example.org/CVE-1\"]", "\"links\":[\"not a uri\"]", Description = "a link that is no URI")]
    [TestCase("2026-12-04T10:00:00.000Z", "yesterday", Description = "generated_at that is no date-time")]
    [TestCase("\"score_v3\":7.5", "\"score_v3\":\"7.5\"", Description = "a score that is a string")]
    [TestCase("\"version\":\"1\",\"severity\"", "\"version\":1,\"severity\"", Description = "a package version that is a number")]
    public void The_v1_2_report_schema_refuses(string valid, string invalid)
    {
        Assert.That(ValidReport.Contains(valid, StringComparison.Ordinal), Is.True, "the replaced text is in the sample");
        var errors = HarborSpec.Errors(HarborSpec.Load("1.2").Schema("HarborVulnerabilityReport"), ValidReport.Replace(valid, invalid));
        Assert.That(errors, Is.Not.Empty);
    }

    [Test]
    public void Metadata_without_its_required_members_is_refused()
    {
        var schema = HarborSpec.Load("1.2").Schema("ScannerAdapterMetadata");
        Assert.That(HarborSpec.Errors(schema, """{"capabilities":[]}"""), Is.Not.Empty, "scanner is required");
        Assert.That(HarborSpec.Errors(schema, """{"scanner":{},"capabilities":[{"consumes_mime_types":[]}]}"""), Is.Not.Empty,
            "a capability needs produces_mime_types");
        Assert.That(HarborSpec.Errors(schema, """{"scanner":{},"capabilities":[],"properties":{"a":1}}"""), Is.Not.Empty, "properties are strings");
    }

    [Test]
    public void A_scan_request_parameter_may_be_null_as_OpenAPI_nullable_says()
    {
        var schema = HarborSpec.Load("1.2").Schema("ScanRequest");
        Assert.That(HarborSpec.Errors(schema, """{"registry":{},"artifact":{},"enabled_capabilities":[{"type":"sbom","parameters":null}]}"""), Is.Empty);
        Assert.That(HarborSpec.Errors(schema, """{"registry":{},"artifact":{},"enabled_capabilities":[{"type":"secrets"}]}"""), Is.Not.Empty);
    }
}
