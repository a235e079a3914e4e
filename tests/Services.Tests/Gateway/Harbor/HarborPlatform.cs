using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.Services.Tests.Security;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>
/// Once for every Harbor test: a real docker-registry with a Debian 12 image pushed by skopeo (the corpus' dpkg status, acl
/// 2.3.1-3 among its packages), the standalone platform (every service in one process, in-memory bus, SQLite) configured with
/// that registry as "local", and an advisory for acl in the advisory database. The platform never heard of the image: Harbor's
/// scan request is the first it learns of it.
/// </summary>
[SetUpFixture]
public sealed class HarborPlatform
{
    public const string Repository = "library/debian";

    /// <summary>The same image pushed as a Docker v2 manifest (what Harbor holds for images pushed by docker).</summary>
    public const string DockerRepository = "library/debian-docker";
    public const string Tag = "bookworm";
    public const string AdvisoryId = "DSA-TEST-ACL-1";
    public const string CveId = "CVE-2026-99999";
    public const string CvssVector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    public const string AdvisoryUrl = "https://security-tracker.debian.org/tracker/DSA-TEST-ACL-1";

    /// <summary>Harbor's pull credential in its requests: it must never reach a log.</summary>
    public const string HarborRobotSecret = "robot$harbor-scanner:Zq8v3RkP0xYw";

    // Debian 12's /usr/lib/os-release as the base-files package ships it.
    private const string Bookworm = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        HOME_URL="https://www.debian.org/"

        """;

    // The status file lists acl 2.3.1-3 and libacl1 2.3.1-3 (source acl); the fix is one Debian revision later.
    private const string AclAdvisory = $$"""
        {
          "id": "{{AdvisoryId}}",
          "summary": "acl - security update",
          "details": "A crafted ACL lets a local user read files.",
          "modified": "2026-11-28T00:00:00Z",
          "published": "2026-11-28T00:00:00Z",
          "aliases": ["{{CveId}}"],
          "severity": [{ "type": "CVSS_V3", "score": "{{CvssVector}}" }],
          "references": [{ "type": "ADVISORY", "url": "{{AdvisoryUrl}}" }],
          "affected": [{
            "package": { "name": "acl", "ecosystem": "Debian:12", "purl": "pkg:deb/debian/acl?arch=source" },
            "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "2.3.1-4" }] }]
          }]
        }
        """;

    public static RegistryServer Registry { get; private set; } = null!;
    public static PushedImage Image { get; private set; } = null!;
    public static PushedImage DockerImage { get; private set; } = null!;
    private static string _work = "";
    public static StandaloneHost Host { get; private set; } = null!;

    public static string HarborToken => StandaloneHost.TokenFor(TokenScopes.HarborScanner);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _work = Directory.CreateTempSubdirectory("imagescanning-harbor-").FullName;
        var layout = await TestImages.Builder().Layer(rootfs => rootfs
                .WriteFile("usr/lib/os-release", Bookworm)
                .Symlink("etc/os-release", "../usr/lib/os-release")
                .WriteFile("var/lib/dpkg/status", status))
            .BuildAsync(Tag, _work);
        Image = await TestImages.PushAsync(layout, Registry, Repository, Tag);
        DockerImage = await TestImages.PushAsync(layout, Registry, DockerRepository, Tag, ManifestFormat.DockerV2);
        Host = await StandaloneHost.StartAsync(new Dictionary<string, string?>
        {
            ["Registries:0:Url"] = Registry.Url.ToString(),
            ["Harbor:RefreshAfterSeconds"] = "2",
            // Harbor names the registry by its core service's URL: an alias of the registry it fronts.
            ["Harbor:RegistryUrls:0:Url"] = "http://harbor-core.test:8080",
            ["Harbor:RegistryUrls:0:Registry"] = "local",
        });
        await Host.Services.GetRequiredService<IAdvisoryStore>().UpsertAsync(OsvParser.Parse(AclAdvisory), AclAdvisory);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    /// <summary>
    /// A ScanRequest shaped as Harbor's scanner client sends it, its media type version 1.0. The artifact also carries two
    /// members the spec does not name (namespace_id, size): an adapter must ignore what it does not know.
    /// </summary>
    public static string ScanRequest(string registryUrl, string digest, string authorization, string? capabilities = null,
        string repository = Repository, string mimeType = "application/vnd.oci.image.manifest.v1+json") => $$"""
        {"registry":{"url":"{{registryUrl}}","authorization":"{{authorization}}"},
         "artifact":{"namespace_id":2,"repository":"{{repository}}","digest":"{{digest}}","tag":"{{Tag}}","mime_type":"{{mimeType}}","size":2106}
         {{(capabilities is null ? "" : ",\"enabled_capabilities\":" + capabilities)}}}
        """;

    public static string BasicAuthorization => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(HarborRobotSecret));

    /// <summary>POST /scan with the headers Harbor's scanner client sets (its ScanRequest media type is still version 1.0).</summary>
    public static async Task<HttpResponseMessage> PostScanAsync(string body, string? token = null,
        string contentType = "application/vnd.scanner.adapter.scan.request+json; version=1.0")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/harbor/api/v1/scan");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? HarborToken);
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Accept.ParseAdd("application/vnd.scanner.adapter.scan.response+json; version=1.0");
        return await Host.Client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> GetAsync(string path, string? accept, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? HarborToken);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await Host.Client.SendAsync(request);
    }

    public static string ReportPath(string id, string? sbomMediaType = null) =>
        $"/harbor/api/v1/scan/{Uri.EscapeDataString(id)}/report" + (sbomMediaType is null ? "" : "?sbom_media_type=" + Uri.EscapeDataString(sbomMediaType));

    /// <summary>Polls the report as Harbor does (following nothing: a 302 means "ask again"), until it is not 302; the 302s seen.</summary>
    public static async Task<(HttpResponseMessage Response, List<HttpResponseMessage> Redirects)> PollReportAsync(
        string id, string accept, string? sbomMediaType = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        var redirects = new List<HttpResponseMessage>();
        while (true)
        {
            var response = await GetAsync(ReportPath(id, sbomMediaType), accept);
            if (response.StatusCode != HttpStatusCode.Found || DateTime.UtcNow > deadline) return (response, redirects);
            redirects.Add(response);
            await Task.Delay(250);
        }
    }
}
