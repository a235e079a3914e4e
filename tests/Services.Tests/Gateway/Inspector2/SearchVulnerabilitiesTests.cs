using ImageScanning.Gateway.Inspector2.Operations;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.Services.Tests.Gateway.Inspector2.Inspector2Services;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>SearchVulnerabilities over a real SQLite advisory store: the CVE's records folded, only what they hold.</summary>
public sealed class SearchVulnerabilitiesTests
{
    private const string Cve = """
        {"id":"CVE-2024-6119","modified":"2024-09-10T12:00:00Z","published":"2024-09-03T16:15:00Z",
         "details":"Applications performing certificate name checks might attempt to read an invalid memory address.",
         "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
         "references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/CVE-2024-6119"},{"type":"WEB","url":"https://openssl-library.org/news/secadv/20240903.txt"}]}
        """;

    private const string Ghsa = """
        {"id":"GHSA-8hjv-8wvw-5j5x","modified":"2024-09-05T00:00:00Z","aliases":["CVE-2024-6119"],"summary":"OpenSSL name check",
         "database_specific":{"severity":"HIGH","cwe_ids":["CWE-843"]},
         "references":[{"type":"WEB","url":"https://github.com/advisories/GHSA-8hjv-8wvw-5j5x"}]}
        """;

    private const string Bare = """{"id":"CVE-2023-0001","modified":"2023-01-02T00:00:00Z"}""";

    private string _directory = "";
    private SqliteAdvisoryStore _store = null!;
    private ServiceProvider _services = null!;

    [OneTimeSetUp]
    public async Task StoreAdvisoriesAsync()
    {
        _directory = Directory.CreateTempSubdirectory("inspector2-vulnerabilities-").FullName;
        _store = new SqliteAdvisoryStore(Path.Combine(_directory, "advisories.db"));
        foreach (var json in new[] { Cve, Ghsa, Bare }) await _store.UpsertAsync(OsvParser.Parse(json), json);
        _services = Create(s => s.AddSingleton<IAdvisoryStore>(_store));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _services.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<System.Text.Json.Nodes.JsonArray> SearchAsync(string id) =>
        (await VulnerabilityOperations.SearchVulnerabilitiesAsync(Call(_services, $$$"""{"filterCriteria":{"vulnerabilityIds":["{{{id}}}"]}}""")))["vulnerabilities"]!.AsArray();

    [Test]
    public async Task A_cve_is_its_own_record_with_what_its_aliases_add()
    {
        var found = (await SearchAsync("CVE-2024-6119")).Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)found["id"], Is.EqualTo("CVE-2024-6119"));
            Assert.That((string?)found["source"], Is.EqualTo("NVD"));
            Assert.That((string?)found["sourceUrl"], Is.EqualTo("https://nvd.nist.gov/vuln/detail/CVE-2024-6119"));
            Assert.That((string?)found["description"], Does.StartWith("Applications performing certificate name checks"));
            Assert.That((string?)found["cvss3"]!["scoringVector"], Is.EqualTo("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"));
            Assert.That((double?)found["cvss3"]!["baseScore"], Is.EqualTo(7.5));
            Assert.That(found["cwes"]!.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "CWE-843" }));
            Assert.That((string?)found["vendorSeverity"], Is.EqualTo("HIGH"));
            Assert.That(found["relatedVulnerabilities"]!.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "GHSA-8hjv-8wvw-5j5x" }));
            Assert.That(found["referenceUrls"]!.AsArray(), Has.Count.EqualTo(3));
            Assert.That((decimal?)found["vendorCreatedAt"], Is.EqualTo(DateTimeOffset.Parse("2024-09-03T16:15:00Z").ToUnixTimeSeconds()));
            Assert.That((decimal?)found["vendorUpdatedAt"], Is.EqualTo(DateTimeOffset.Parse("2024-09-10T12:00:00Z").ToUnixTimeSeconds()));
            foreach (var absent in new[] { "cvss2", "epss", "atigData", "cisaData", "exploitObserved", "detectionPlatforms" })
                Assert.That(found.AsObject().ContainsKey(absent), Is.False, absent + " is not in the advisory data");
        });
    }

    [Test]
    public async Task A_record_with_nothing_but_its_id_answers_nothing_more_and_an_unknown_cve_answers_none()
    {
        var bare = (await SearchAsync("CVE-2023-0001")).Single()!.AsObject();
        var unknown = await SearchAsync("CVE-2099-0001");
        Assert.Multiple(() =>
        {
            Assert.That(bare.Select(p => p.Key), Is.EquivalentTo(new[] { "id", "vendorUpdatedAt" }));
            Assert.That(unknown, Is.Empty);
        });
    }
}
