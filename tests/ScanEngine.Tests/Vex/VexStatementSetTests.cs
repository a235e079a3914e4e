using System.Text;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Vex;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>Which statement of the corpus's documents applies to findings such as the scanner reports them.</summary>
[TestFixture]
public sealed class VexStatementSetTests
{
    private const string TrivyDigest = "sha256:5f3b9c4d1c0a9e8f7b6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a";
    private const string OtherDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    private static string PurlOf(string type, string name, string version, Distribution? distribution = null, string? arch = null) =>
        PackageUrl.For(new Package { Name = name, Version = version, Type = type, Architecture = arch, FilePath = "lib/db", LayerDigest = OtherDigest }, distribution);

    private static readonly Distribution Alpine = new("alpine", "3.20.1", null, "Alpine Linux v3.20");

    private static VexFinding TrivyFinding(string registry, string repository, string cve, string packagePurl, params string[] aliases) =>
        new([TrivyDigest], repository, registry, cve, aliases, packagePurl);

    [Test]
    public void An_oci_product_matches_the_image_by_repository_url_and_the_subcomponent_by_purl()
    {
        var set = new VexStatementSet([VexCorpus.Read("openvex", "trivy-oci.openvex.json")]);
        var busybox = PurlOf("apk", "busybox", "1.36.1-r29", Alpine, "x86_64");
        var match = set.Match(TrivyFinding("ghcr.io", "aquasecurity/trivy", "CVE-2023-42363", busybox));
        var dockerHub = set.Match(TrivyFinding("registry-1.docker.io", "aquasec/trivy", "CVE-2023-42363", busybox));
        Assert.Multiple(() =>
        {
            Assert.That(busybox, Is.EqualTo("pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.1"));
            Assert.That(match, Is.Not.Null);
            Assert.That(match!.Silences, Is.True);
            Assert.That(match.Product, Is.EqualTo("pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy"));
            Assert.That(match.Subcomponent, Is.EqualTo("pkg:apk/alpine/busybox"));
            Assert.That(match.Statement.ImpactStatement, Is.EqualTo("awk is not used"));
            Assert.That(dockerHub?.Product, Is.EqualTo("pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy"));
        });
    }

    [Test]
    public void The_statement_does_not_reach_other_images_packages_or_vulnerabilities()
    {
        var set = new VexStatementSet([VexCorpus.Read("openvex", "trivy-oci.openvex.json")]);
        var busybox = PurlOf("apk", "busybox", "1.36.1-r29", Alpine);
        Assert.Multiple(() =>
        {
            Assert.That(set.Match(TrivyFinding("ghcr.io", "someone/trivy", "CVE-2023-42363", busybox)), Is.Null, "another repository");
            Assert.That(set.Match(TrivyFinding("quay.io", "aquasecurity/trivy", "CVE-2023-42363", busybox)), Is.Null, "another registry");
            Assert.That(set.Match(TrivyFinding("ghcr.io", "aquasecurity/trivy", "CVE-2023-42363", PurlOf("apk", "musl", "1.2.5-r0", Alpine))), Is.Null, "another package");
            Assert.That(set.Match(TrivyFinding("ghcr.io", "aquasecurity/trivy", "CVE-2024-0001", busybox)), Is.Null, "another vulnerability");
        });
    }

    [Test]
    public void An_oci_purl_with_a_digest_matches_only_that_image()
    {
        var json = $$"""
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:test:1","author":"ops","timestamp":"2026-12-01T00:00:00Z",
             "statements":[{"vulnerability":{"name":"CVE-2024-6119"},"products":[{"@id":"pkg:oci/app@{{Uri.EscapeDataString(TrivyDigest)}}"}],
                            "status":"not_affected","justification":"component_not_present"}]}
            """;
        var set = new VexStatementSet([VexDocumentReader.Read(Encoding.UTF8.GetBytes(json))]);
        var libssl = PurlOf("apk", "libssl3", "3.3.1-r0", Alpine);
        var here = set.Match(new VexFinding([OtherDigest, TrivyDigest], "team/app", "registry.local:5000", "CVE-2024-6119", [], libssl));
        var elsewhere = set.Match(new VexFinding([OtherDigest], "team/app", "registry.local:5000", "CVE-2024-6119", [], libssl));
        Assert.Multiple(() =>
        {
            Assert.That(here?.Subcomponent, Is.Null, "no subcomponents: every package of the image");
            Assert.That(here?.Statement.Justification, Is.EqualTo(VexJustification.ComponentNotPresent));
            Assert.That(elsewhere, Is.Null);
        });
    }

    [Test]
    public void A_package_product_with_subcomponents_applies_inside_that_package_only()
    {
        var set = new VexStatementSet([VexCorpus.Read("openvex", "trivy.openvex.json")]);
        var helm = PurlOf("golang", "helm.sh/helm/v3", "v3.14.0");
        var inTrivy = new VexFinding([TrivyDigest], "aquasecurity/trivy", "ghcr.io", "CVE-2024-26147", ["GHSA-r53h-jv2g-vpx6"], helm)
        {
            ContainingPurls = [PurlOf("golang", "github.com/aquasecurity/trivy", "v0.54.0")],
        };
        var alone = inTrivy with { ContainingPurls = [] };
        var match = set.Match(inTrivy);
        Assert.Multiple(() =>
        {
            Assert.That(match?.Statement.VulnerabilityId, Is.EqualTo("GO-2024-2575"), "matched through the alias CVE-2024-26147");
            Assert.That(match?.Product, Is.EqualTo("pkg:golang/github.com/aquasecurity/trivy"));
            Assert.That(match?.Subcomponent, Is.EqualTo("pkg:golang/helm.sh/helm/v3"));
            Assert.That(set.Match(alone), Is.Null, "not known to be inside trivy");
        });
    }

    [Test]
    public void A_subcomponent_with_a_version_matches_that_version_only()
    {
        var set = new VexStatementSet([VexCorpus.Read("openvex", "trivy.openvex.json")]);
        var trivy = PurlOf("golang", "github.com/aquasecurity/trivy", "v0.58.0");
        VexFinding Finding(string version) => new([TrivyDigest], "aquasecurity/trivy", "ghcr.io", "GO-2025-4192", [],
            PurlOf("golang", "github.com/sigstore/timestamp-authority", version)) { ContainingPurls = [trivy] };
        Assert.Multiple(() =>
        {
            Assert.That(set.Match(Finding("v1.2.2")), Is.Not.Null);
            Assert.That(set.Match(Finding("v1.2.3")), Is.Null);
        });
    }

    [Test]
    public void A_cyclonedx_package_product_matches_the_package_anywhere()
    {
        var set = new VexStatementSet([VexCorpus.Read("cyclonedx", "bom-examples-vex.json")]);
        var jackson = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0";
        var match = set.Match(new VexFinding([OtherDigest], "team/api", null, "CVE-2020-25649", [], jackson));
        Assert.Multiple(() =>
        {
            Assert.That(match?.Statement.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotInExecutePath), "type=jar is on one side only: ignored");
            Assert.That(set.Match(new VexFinding([OtherDigest], "team/api", null, "CVE-2020-25649", [], jackson + "?type=pom")), Is.Null, "type on both sides, different");
            Assert.That(set.Match(new VexFinding([OtherDigest], "team/api", null, "CVE-2020-25649", [], "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.1")), Is.Null);
        });
    }

    [Test]
    public void A_bom_ref_product_is_the_image_the_document_was_attached_to()
    {
        var attached = new VexStatementSet([VexCorpus.Read("cyclonedx", "cisa-case1-vex-not_affected.json", subject: TrivyDigest)]);
        var loose = new VexStatementSet([VexCorpus.Read("cyclonedx", "cisa-case1-vex-not_affected.json")]);
        var log4j = new VexFinding([TrivyDigest], "acme/abc", "registry.local", "CVE-2021-44228", [], "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        Assert.Multiple(() =>
        {
            Assert.That(attached.Match(log4j)?.Product, Is.EqualTo("product-ABC"));
            Assert.That(attached.Match(log4j with { ImageDigests = [OtherDigest] }), Is.Null);
            Assert.That(loose.Match(log4j), Is.Null, "a bare bom-ref names no image on its own");
        });
    }

    [Test]
    public void Red_Hat_not_affected_applies_to_an_rhel_image_by_its_cpe()
    {
        var set = new VexStatementSet([VexCorpus.Read("redhat-vex", "cve-2023-4154.json")]);
        var ubi8 = new Distribution("rhel", "8.10", null, "Red Hat Enterprise Linux 8.10 (Ootpa)");
        var samba = PurlOf("rpm", "samba", "4.19.4-3.el8", ubi8, "x86_64");
        var finding = new VexFinding([TrivyDigest], "ubi8/samba", "registry.access.redhat.com", "CVE-2023-4154", [], samba)
        {
            Cpes = ["cpe:/o:redhat:enterprise_linux:8::baseos"],
        };
        var match = set.Match(finding);
        Assert.Multiple(() =>
        {
            Assert.That(samba, Does.StartWith("pkg:rpm/rhel/samba@4.19.4-3.el8?arch=x86_64"));
            Assert.That(match?.Product, Is.EqualTo("cpe:/o:redhat:enterprise_linux:8"));
            Assert.That(match?.Subcomponent, Is.EqualTo("pkg:rpm/redhat/samba"));
            Assert.That(match?.Statement.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotPresent));
            Assert.That(set.Match(finding with { Cpes = ["cpe:/o:redhat:enterprise_linux:9::baseos"] })?.Product, Is.EqualTo("cpe:/o:redhat:enterprise_linux:9"));
            Assert.That(set.Match(finding with { Cpes = [] }), Is.Null);
        });
    }

    [Test]
    public void The_newest_statement_wins_and_under_investigation_does_not_silence()
    {
        static string Doc(string id, string time, string status) => $$"""
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"{{id}}","author":"ops","timestamp":"{{time}}",
             "statements":[{"vulnerability":{"name":"CVE-2024-5535"},"products":[{"@id":"{{TrivyDigest}}"}],"status":"{{status}}"}]}
            """;
        var older = VexDocumentReader.Read(Encoding.UTF8.GetBytes(Doc("urn:a", "2026-01-01T00:00:00Z", "not_affected")));
        var newer = VexDocumentReader.Read(Encoding.UTF8.GetBytes(Doc("urn:b", "2026-06-01T00:00:00Z", "under_investigation")));
        var finding = new VexFinding([TrivyDigest], "team/app", null, "CVE-2024-5535", [], "pkg:apk/alpine/libssl3@3.3.1-r0");
        var set = new VexStatementSet([newer, older]);
        var match = set.Match(finding);
        Assert.Multiple(() =>
        {
            Assert.That(match?.Statement.DocumentId, Is.EqualTo("urn:b"));
            Assert.That(match?.Silences, Is.False);
            Assert.That(set.MatchAll(finding).Select(m => m.Statement.DocumentId), Is.EqualTo(new[] { "urn:b", "urn:a" }));
        });
    }

    [TestCase("pkg:pypi/Django_Rest@3.0", "pkg:pypi/django-rest@3.0", true)]
    [TestCase("pkg:deb/debian/curl", "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12", true)]
    [TestCase("pkg:deb/debian/curl?arch=arm64", "pkg:deb/debian/curl@7.88.1-10?arch=amd64", false)]
    [TestCase("pkg:deb/ubuntu/curl", "pkg:deb/debian/curl@7.88.1-10", false)]
    [TestCase("pkg:npm/%40angular/core@17.0.0", "pkg:npm/@angular/core@17.0.0", true)]
    [TestCase("pkg:golang/golang.org/x/net@0.23.0", "pkg:golang/golang.org/x/net@v0.23.0", true)]
    public void Purls_match_per_the_purl_spec(string statement, string package, bool covers) =>
        Assert.That(Purl.TryParse(statement)!.Covers(Purl.TryParse(package)!), Is.EqualTo(covers));
}
