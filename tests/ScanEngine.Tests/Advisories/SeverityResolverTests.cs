using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Advisories;

public class SeverityResolverTests
{
    [Test]
    public void GHSA_database_specific_severity_is_the_vendor_severity()
    {
        var log4shell = SeverityResolver.Resolve(OsvCorpus.Load("ghsa", "GHSA-jfh8-c2jp-5v3q"));
        Assert.Multiple(() =>
        {
            Assert.That(log4shell.Severity, Is.EqualTo(Severity.Critical));
            Assert.That(log4shell.Source, Is.EqualTo("GHSA"));
            Assert.That(log4shell.VendorSeverity, Is.EqualTo("CRITICAL"));
            Assert.That(log4shell.Cvss!.BaseScore, Is.EqualTo(10.0));
            Assert.That(log4shell.Cvss.Vector, Is.EqualTo("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"));
        });
    }

    [Test]
    public void GHSA_MODERATE_is_Medium_for_every_moderate_record_of_the_corpus()
    {
        var moderate = OsvCorpus.AllFiles()
            .Where(f => Path.GetFileName(f).StartsWith("GHSA-", StringComparison.Ordinal))
            .Select(f => OsvParser.Parse(File.ReadAllText(f)))
            .Where(a => a.DatabaseSpecific?.TryGetProperty("severity", out var s) == true && s.GetString() == "MODERATE")
            .ToList();
        Assert.That(moderate, Is.Not.Empty);
        Assert.That(moderate.Select(a => SeverityResolver.Resolve(a).Severity).Distinct(), Is.EqualTo(new[] { Severity.Medium }));
    }

    [Test]
    public void Ubuntu_priority_wins_over_CVSS()
    {
        // UBUNTU-CVE-2022-24823: CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N = 5.5 (Medium); Ubuntu priority "low".
        var resolved = SeverityResolver.Resolve(OsvCorpus.Load("ubuntu", "UBUNTU-CVE-2022-24823"));
        Assert.Multiple(() =>
        {
            Assert.That(resolved.Severity, Is.EqualTo(Severity.Low));
            Assert.That(resolved.Source, Is.EqualTo("Ubuntu"));
            Assert.That(resolved.VendorSeverity, Is.EqualTo("low"));
            Assert.That(resolved.Cvss!.BaseScore, Is.EqualTo(5.5));
        });
    }

    [Test]
    public void Every_ubuntu_record_with_a_priority_resolves_from_it()
    {
        foreach (var file in Directory.EnumerateFiles(Corpus.PathOf("osv", "ubuntu")))
        {
            var record = OsvParser.Parse(File.ReadAllText(file));
            var priority = record.Severity.FirstOrDefault(s => s.Type == "Ubuntu")?.Score;
            if (priority is null) continue;
            Assert.That(SeverityResolver.Resolve(record).Source, Is.EqualTo("Ubuntu"), record.Id);
        }
    }

    [Test]
    public void OSS_Fuzz_ecosystem_specific_severity()
    {
        var record = OsvParser.Parse(File.ReadAllText(Corpus.PathOf("osv", "osvdev-served", "GIT", "OSV-2023-1161.json")));
        var resolved = SeverityResolver.Resolve(record, record.Affected[0]);
        Assert.That(resolved.Severity, Is.EqualTo(Severity.Medium));
        Assert.That(resolved.Source, Is.EqualTo("OSS-Fuzz"));
    }

    [Test]
    public void CVSS_v3_when_there_is_no_vendor_severity()
    {
        // ALPINE-CVE-2025-26519 has only CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H = 7.0 (High).
        var resolved = SeverityResolver.Resolve(OsvCorpus.Load("alpine", "ALPINE-CVE-2025-26519"));
        Assert.Multiple(() =>
        {
            Assert.That(resolved.Severity, Is.EqualTo(Severity.High));
            Assert.That(resolved.Source, Is.EqualTo("CVSS_V3"));
            Assert.That(resolved.VendorSeverity, Is.Null);
            Assert.That(resolved.Cvss!.BaseScore, Is.EqualTo(7.0));
        });
    }

    [Test]
    public void Debian_records_without_any_severity_are_Untriaged()
    {
        var resolved = SeverityResolver.Resolve(OsvCorpus.Load("debian", "DLA-3008-1"));
        Assert.That(resolved, Is.EqualTo(new ResolvedSeverity(Severity.Untriaged, "NONE", null, null)));
    }

    [Test]
    public void Untriaged_vendor_words_fall_through_to_CVSS()
    {
        var record = OsvParser.Parse("""
            {"id": "UBUNTU-CVE-2099-1", "severity": [
                {"type": "Ubuntu", "score": "untriaged"},
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}
            """);
        var resolved = SeverityResolver.Resolve(record);
        Assert.That(resolved.Severity, Is.EqualTo(Severity.Critical));
        Assert.That(resolved.Source, Is.EqualTo("CVSS_V3"));
    }

    [Test]
    public void Debian_tracker_urgency_in_ecosystem_specific()
    {
        var record = OsvParser.Parse("""
            {"id": "DEBIAN-CVE-2099-1", "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
              "ecosystem_specific": {"urgency": "unimportant"}}]}
            """);
        var resolved = SeverityResolver.Resolve(record, record.Affected[0]);
        Assert.That(resolved.Severity, Is.EqualTo(Severity.Informational));
        Assert.That(resolved.Source, Is.EqualTo("Debian"));
    }

    [Test]
    public void Only_a_CVSS_v4_vector_is_Untriaged()
    {
        var record = OsvParser.Parse("""
            {"id": "X-1", "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}
            """);
        Assert.That(SeverityResolver.Resolve(record).Severity, Is.EqualTo(Severity.Untriaged));
    }

    [TestCase("critical", Severity.Critical)]
    [TestCase("HIGH", Severity.High)]
    [TestCase("important", Severity.High)]
    [TestCase("MODERATE", Severity.Medium)]
    [TestCase("medium", Severity.Medium)]
    [TestCase("low", Severity.Low)]
    [TestCase("negligible", Severity.Informational)]
    [TestCase("unimportant", Severity.Informational)]
    [TestCase("untriaged", null)]
    [TestCase("not yet assigned", null)]
    public void Vendor_words(string word, Severity? expected) =>
        Assert.That(SeverityResolver.FromVendorWord(word), Is.EqualTo(expected));
}
