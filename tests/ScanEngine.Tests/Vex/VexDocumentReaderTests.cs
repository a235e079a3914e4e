using System.Text;
using ImageScanning.ScanEngine.Vex;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>The three readers on the corpus's real documents, and their refusals of malformed ones.</summary>
[TestFixture]
public sealed class VexDocumentReaderTests
{
    private static VexDocumentException Refusal(string json) =>
        Assert.Throws<VexDocumentException>(() => VexDocumentReader.Read(Encoding.UTF8.GetBytes(json)))!;

    [Test]
    public void OpenVex_statements_about_an_image_keep_products_subcomponents_and_justification()
    {
        var document = VexCorpus.Read("openvex", "trivy-oci.openvex.json");
        var first = document.Statements[0];
        Assert.Multiple(() =>
        {
            Assert.That(document.Format, Is.EqualTo(VexFormat.OpenVex));
            Assert.That(document.Statements, Has.Count.EqualTo(7));
            Assert.That(document.Author, Is.EqualTo("Aqua Security"));
            Assert.That(first.VulnerabilityId, Is.EqualTo("CVE-2023-42363"));
            Assert.That(first.Products, Is.EqualTo(new[]
            {
                "pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy",
                "pkg:oci/trivy?repository_url=public.ecr.aws%2Faquasecurity%2Ftrivy",
                "pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy",
            }));
            Assert.That(first.Subcomponents, Is.EqualTo(new[] { "pkg:apk/alpine/busybox", "pkg:apk/alpine/busybox-binsh", "pkg:apk/alpine/ssl_client" }));
            Assert.That(first.Status, Is.EqualTo(VexStatus.NotAffected));
            Assert.That(first.Justification, Is.EqualTo(VexJustification.VulnerableCodeCannotBeControlledByAdversary));
            Assert.That(first.ImpactStatement, Is.EqualTo("awk is not used"));
            Assert.That(first.Timestamp, Is.EqualTo(DateTimeOffset.Parse("2024-07-10T08:17:44.60495Z")));
            Assert.That(first.DocumentId, Is.EqualTo("https://openvex.dev/docs/public/vex-8e30ed756ae8e4196af93bf43edf68360f396a98c0268787453a3443b26e7d6c"));
        });
    }

    [Test]
    public void OpenVex_aliases_and_identifiers_are_read()
    {
        var document = VexCorpus.Read("openvex", "trivy.openvex.json");
        var helm = document.Statements.Single(s => s.VulnerabilityId == "GO-2024-2575");
        var versioned = document.Statements.Single(s => s.VulnerabilityId == "GO-2025-4192");
        Assert.Multiple(() =>
        {
            Assert.That(document.Statements, Has.Count.EqualTo(21));
            Assert.That(helm.Aliases, Is.EqualTo(new[] { "CVE-2024-26147", "GHSA-r53h-jv2g-vpx6" }));
            Assert.That(helm.Products, Is.EqualTo(new[] { "pkg:golang/github.com/aquasecurity/trivy" }));
            Assert.That(helm.Subcomponents, Is.EqualTo(new[] { "pkg:golang/helm.sh/helm/v3" }));
            Assert.That(helm.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotInExecutePath));
            Assert.That(versioned.Subcomponents, Is.EqualTo(new[] { "pkg:golang/github.com/sigstore/timestamp-authority@v1.2.2" }));
        });
    }

    [Test]
    public void CycloneDx_not_affected_maps_its_justification_and_covers_the_described_product()
    {
        var document = VexCorpus.Read("cyclonedx", "cisa-case1-vex-not_affected.json");
        var statement = document.Statements.Single();
        Assert.Multiple(() =>
        {
            Assert.That(document.Format, Is.EqualTo(VexFormat.CycloneDx));
            Assert.That(statement.VulnerabilityId, Is.EqualTo("CVE-2021-44228"));
            Assert.That(statement.Products, Is.EqualTo(new[] { "product-ABC" }));
            Assert.That(statement.Subcomponents, Is.Empty);
            Assert.That(statement.Status, Is.EqualTo(VexStatus.NotAffected));
            Assert.That(statement.SourceJustification, Is.EqualTo("code_not_present"));
            Assert.That(statement.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotPresent));
            Assert.That(statement.Responses, Is.EqualTo(new[] { "will_not_fix" }));
            Assert.That(statement.ImpactStatement, Does.StartWith("This version of Product ABC is not affected"));
            Assert.That(statement.Timestamp, Is.EqualTo(DateTimeOffset.Parse("2022-03-03T00:00:00Z")));
        });
    }

    [Test]
    public void CycloneDx_exploitable_is_affected_with_its_detail_as_the_action()
    {
        var statement = VexCorpus.Read("cyclonedx", "cisa-case1-vex-affected.json").Statements.Single();
        Assert.Multiple(() =>
        {
            Assert.That(statement.Status, Is.EqualTo(VexStatus.Affected));
            Assert.That(statement.Justification, Is.Null);
            Assert.That(statement.Responses, Is.EqualTo(new[] { "will_not_fix", "update" }));
            Assert.That(statement.ActionStatement, Does.Contain("Customers are advised to upgrade"));
        });
    }

    [Test]
    public void CycloneDx_bom_link_refs_resolve_to_the_purl_they_name()
    {
        var statement = VexCorpus.Read("cyclonedx", "bom-examples-vex.json").Statements.Single();
        Assert.Multiple(() =>
        {
            Assert.That(statement.Products, Is.EqualTo(new[] { "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar" }));
            Assert.That(statement.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotInExecutePath));
            Assert.That(statement.Aliases, Is.EqualTo(new[] { "SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302" }));
            Assert.That(statement.Timestamp, Is.EqualTo(DateTimeOffset.Parse("2021-10-26T00:00:00Z")));
        });
    }

    [Test]
    public void Csaf_not_affected_products_are_grouped_per_platform_with_the_flag_as_justification()
    {
        var document = VexCorpus.Read("redhat-vex", "cve-2023-4154.json");
        var rhel8 = document.Statements.Single(s => s.Products.Single() == "cpe:/o:redhat:enterprise_linux:8");
        Assert.Multiple(() =>
        {
            Assert.That(document.Format, Is.EqualTo(VexFormat.Csaf));
            Assert.That(document.Id, Is.EqualTo("CVE-2023-4154"));
            Assert.That(document.Author, Is.EqualTo("Red Hat Product Security"));
            Assert.That(document.Statements, Has.Count.EqualTo(5));
            Assert.That(document.Statements.Select(s => s.Status), Is.All.EqualTo(VexStatus.NotAffected));
            Assert.That(document.Statements.Sum(s => s.Subcomponents.Count), Is.EqualTo(165));
            Assert.That(rhel8.VulnerabilityId, Is.EqualTo("CVE-2023-4154"));
            Assert.That(rhel8.Aliases, Is.EqualTo(new[] { "2241883" }));
            Assert.That(rhel8.Subcomponents, Does.Contain("pkg:rpm/redhat/samba"));
            Assert.That(rhel8.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotPresent));
            Assert.That(rhel8.ImpactStatement, Is.EqualTo("Moderate"));
            Assert.That(rhel8.Timestamp, Is.EqualTo(DateTimeOffset.Parse("2025-11-21T14:56:52Z")));
        });
    }

    [Test]
    public void Csaf_fixed_products_carry_their_build_and_the_vendor_fix()
    {
        var document = VexCorpus.Read("redhat-vex", "cve-2023-38545.json");
        var satellite = document.Statements.Where(s => s.Status == VexStatus.Fixed && s.Products.Single() == "cpe:/a:redhat:rhel_satellite_client:6::el6").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(document.Statements.Where(s => s.Status == VexStatus.Fixed).Sum(s => s.Subcomponents.Count), Is.GreaterThan(0));
            Assert.That(document.Statements.Where(s => s.Status == VexStatus.NotAffected).Select(s => s.Justification), Is.All.EqualTo(VexJustification.VulnerableCodeNotPresent));
            Assert.That(satellite.SelectMany(s => s.Subcomponents), Does.Contain("pkg:rpm/redhat/puppet-agent@7.27.0-1.el6sat?arch=i686"));
            Assert.That(satellite.SelectMany(s => s.Responses), Does.Contain("vendor_fix"));
        });
    }

    [Test]
    public void An_unknown_openvex_status_names_the_format_and_the_field()
    {
        var e = Refusal("""{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2024-01-01T00:00:00Z","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:oci/a"}],"status":"maybe"}]}""");
        Assert.That(e.Message, Is.EqualTo("OpenVEX document: statements[0].status: 'maybe' is not not_affected, affected, fixed or under_investigation"));
    }

    [Test]
    public void A_cyclonedx_analysis_without_affects_names_the_field()
    {
        var e = Refusal("""{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"}}]}""");
        Assert.That(e.Message, Is.EqualTo("CycloneDX VEX document: vulnerabilities[0].affects: missing"));
    }

    [Test]
    public void A_cyclonedx_older_than_1_4_is_refused()
    {
        var e = Refusal("""{"bomFormat":"CycloneDX","specVersion":"1.3","components":[]}""");
        Assert.That(e.Message, Does.StartWith("CycloneDX VEX document: specVersion: '1.3' is older than 1.4"));
    }

    [Test]
    public void A_csaf_advisory_is_not_a_vex_document()
    {
        var e = Refusal("""{"document":{"category":"csaf_security_advisory","csaf_version":"2.0"}}""");
        Assert.That(e.Message, Is.EqualTo("CSAF VEX document: document.category: 'csaf_security_advisory' is not csaf_vex"));
    }

    [Test]
    public void A_mistyped_openvex_products_names_the_field()
    {
        var e = Refusal("""{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","statements":[{"vulnerability":{"name":"CVE-1"},"products":"pkg:oci/a","status":"fixed"}]}""");
        Assert.That(e.Message, Is.EqualTo("OpenVEX document: statements[0].products: expected an array, found the string 'pkg:oci/a'"));
    }

    [Test]
    public void A_document_of_no_known_format_says_which_heads_were_looked_for()
    {
        Assert.That(Refusal("""{"spdxVersion":"SPDX-2.3"}""").Message, Does.Contain("neither OpenVEX (@context), CycloneDX (bomFormat) nor CSAF (document.csaf_version)"));
        Assert.That(Refusal("not json").Message, Does.StartWith("VEX document: (document): not valid JSON"));
    }

    [Test]
    public void Documents_past_the_limits_are_refused()
    {
        var bytes = VexCorpus.Bytes("openvex", "trivy-oci.openvex.json");
        var small = Assert.Throws<VexDocumentException>(() => VexDocumentReader.Read(bytes, new VexLimits { MaxDocumentBytes = 1000 }))!;
        var few = Assert.Throws<VexDocumentException>(() => VexDocumentReader.Read(bytes, new VexLimits { MaxStatements = 3 }))!;
        Assert.Multiple(() =>
        {
            Assert.That(small.Message, Does.Contain("larger than 1000 bytes (limit VexLimits.MaxDocumentBytes)"));
            Assert.That(few.Message, Is.EqualTo("OpenVEX document: statements[3]: more than 3 statements in one document (limit VexLimits.MaxStatements)"));
        });
    }

    [Test]
    public async Task A_stream_is_refused_once_it_passes_the_size_limit()
    {
        var stream = new MemoryStream(VexCorpus.Bytes("openvex", "trivy.openvex.json"));
        var e = Assert.ThrowsAsync<VexDocumentException>(() => VexDocumentReader.ReadAsync(stream, new VexLimits { MaxDocumentBytes = 4096 }))!;
        Assert.That(e.Message, Does.Contain("limit VexLimits.MaxDocumentBytes"));
        var read = await VexDocumentReader.ReadAsync(new MemoryStream(VexCorpus.Bytes("openvex", "trivy.openvex.json")));
        Assert.That(read.Statements, Has.Count.EqualTo(21));
    }
}
