using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests.Ecr;
using ImageScanning.EndToEnd.Tests.Inspector2;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>
/// The Inspector2 operations Debian's AWS CLI model lacks (CreateSbomExport, GetSbomExport, SearchVulnerabilities), through the
/// real AWS SDK for JavaScript: SBOMs of the walk-through's images written into the bucket's configured directory, and a CVE
/// CveFeed imported, as Inspector's Vulnerability.
/// </summary>
public abstract partial class AwsCliWalkThroughTests
{
    private const string SbomBucket = "walk-sboms";
    private const string Cve = "CVE-2026-40001";

    private string SbomDirectory => Path.Combine(_work, "sboms");

    /// <summary>The bucket the exports write to (StartAsync adds it to the platform's settings).</summary>
    private void AddSbomBucket(Dictionary<string, string> environment)
    {
        environment["Inspector2__SbomExports__0__BucketName"] = SbomBucket;
        environment["Inspector2__SbomExports__0__Directory"] = SbomDirectory;
    }

    [Test, Order(11)]
    public async Task Step11_sbom_exports_land_in_the_bucket_directory_and_search_vulnerabilities_reads_the_advisories()
    {
        if (await AwsSdkInspector2.EnsureInstalledAsync() is { } missing) Assert.Fail(missing);
        await ImportCveAsync();
        var results = await RunExportsScriptAsync(new Dictionary<string, string>
        {
            ["ENDPOINT"] = _platform.GatewayUrl.ToString().TrimEnd('/'), ["REGION"] = Region, ["ACCESS_KEY_ID"] = AccessKeyId,
            ["SECRET_ACCESS_KEY"] = SecretAccessKey, ["BUCKET"] = SbomBucket, ["REPOSITORY"] = Prod, ["CVE"] = Cve,
        });
        JsonNode Ok(string name) => results[name]?["ok"] ?? throw new AssertionException($"{name}: {results[name]?.ToJsonString()}");
        var cyclonedxId = (string)Ok("cyclonedx")["reportId"]!;
        var spdxId = (string)Ok("spdx")["reportId"]!;
        var cyclonedx = Ok("cyclonedxReport");
        var spdx = Ok("spdxReport");
        string Document(string reportId, string prefix, string repository) => Path.Combine(SbomDirectory, prefix,
            $"SBOM_EXPORT_{reportId}", AccountId, repository, Pushed(repository).Digest["sha256:".Length..] + ".json");
        var cyclonedxFiles = Directory.EnumerateFiles(Path.Combine(SbomDirectory, "walk"), "*.json", SearchOption.AllDirectories).ToList();
        var vulnerabilities = Ok("vulnerability")["vulnerabilities"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((string?)cyclonedx["status"], Is.EqualTo("SUCCEEDED"), cyclonedx.ToJsonString());
            Assert.That((string?)cyclonedx["format"], Is.EqualTo("CYCLONEDX_1_4"));
            Assert.That((string?)cyclonedx["s3Destination"]!["bucketName"], Is.EqualTo(SbomBucket));
            Assert.That((string?)cyclonedx["filterCriteria"]!["ecrRepositoryName"]![0]!["value"], Is.EqualTo(Prod));
            Assert.That(cyclonedxFiles, Is.EqualTo(new[] { Document(cyclonedxId, "walk", Prod) }), "only the filtered repository's image");
            var bom = JsonNode.Parse(File.ReadAllText(cyclonedxFiles.Single()))!;
            Assert.That((string?)bom["bomFormat"], Is.EqualTo("CycloneDX"));
            Assert.That((string?)bom["specVersion"], Is.EqualTo("1.4"));
            Assert.That((string?)bom["metadata"]!["component"]!["bom-ref"], Is.EqualTo(Pushed(Prod).Digest));
            Assert.That(bom["components"]!.AsArray().Select(c => (string?)c!["name"]), Does.Contain(_advisories.Dpkg.Name));
            Assert.That(bom["vulnerabilities"]!.AsArray().Select(v => (string?)v!["id"]), Does.Contain(TestAdvisories.LastAffected));

            Assert.That((string?)spdx["status"], Is.EqualTo("SUCCEEDED"), spdx.ToJsonString());
            foreach (var repository in Repositories)
            {
                var path = Document(spdxId, "", repository);
                Assert.That(File.Exists(path), Is.True, path);
                if (File.Exists(path)) Assert.That((string?)JsonNode.Parse(File.ReadAllText(path))!["spdxVersion"], Is.EqualTo("SPDX-2.3"));
            }

            Assert.That((string?)results["unknownBucket"]!["error"]!["name"], Is.EqualTo("ValidationException"));
            Assert.That((string?)results["unknownBucket"]!["error"]!["message"], Does.Contain("Inspector2:SbomExports"));
            Assert.That((string?)results["unknownReport"]!["error"]!["name"], Is.EqualTo("ResourceNotFoundException"));

            var found = vulnerabilities.Single()!;
            Assert.That((string?)found["id"], Is.EqualTo(Cve));
            Assert.That((string?)found["source"], Is.EqualTo("NVD"));
            Assert.That((string?)found["description"], Is.EqualTo("A walk-through vulnerability."));
            Assert.That((double?)found["cvss3"]!["baseScore"], Is.EqualTo(9.8));
            Assert.That(found["relatedVulnerabilities"]!.AsArray().Select(r => (string?)r), Is.EqualTo(new[] { "GHSA-walk-thro-ugh1" }));
            Assert.That(found["epss"], Is.Null, "no EPSS feed: absent, not made up");
            Assert.That(Ok("unknownVulnerability")["vulnerabilities"]!.AsArray(), Is.Empty);
        });
    }

    /// <summary>A CVE record and a GHSA record aliasing it, imported through CveFeed's advisory upload.</summary>
    private async Task ImportCveAsync()
    {
        var records = new Dictionary<string, string>
        {
            [Cve] = $$"""
                {"id":"{{Cve}}","modified":"2026-11-02T00:00:00Z","published":"2026-11-01T00:00:00Z","details":"A walk-through vulnerability.",
                 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                 "references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/{{Cve}}"}]}
                """,
            ["GHSA-walk-thro-ugh1"] = $$"""{"id":"GHSA-walk-thro-ugh1","modified":"2026-11-02T00:00:00Z","aliases":["{{Cve}}"],"summary":"walk"}""",
        };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (id, json) in records)
            {
                await using var writer = new StreamWriter(zip.CreateEntry(id + ".json").Open());
                await writer.WriteAsync(json);
            }
        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var feed = new HttpClient { BaseAddress = _platform.CveFeedUrl };
        feed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var imported = await feed.PostAsync("/api/v1/advisories", content);
        Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK), await imported.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject> RunExportsScriptAsync(Dictionary<string, string> environment, [CallerFilePath] string thisFile = "")
    {
        environment["SDK_DIR"] = AwsSdkInspector2.CacheDirectory;
        var script = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Inspector2", "inspector2-exports-client.js");
        var (code, stdout, stderr) = await AwsSdkEcr.RunAsync("node", [script], environment, TimeSpan.FromMinutes(3));
        if (code != 0) throw new InvalidOperationException($"inspector2-exports-client.js exited {code}: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }
}
