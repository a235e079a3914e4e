using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>The OSV writer against the real OSV records of the corpus: written and parsed again, nothing the engine reads changes.</summary>
[TestFixture]
public sealed class OsvWriterTests
{
    private static IEnumerable<string> CorpusRecords() =>
        Directory.EnumerateFiles(Corpus.PathOf("osv"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [Test]
    public void Every_corpus_record_survives_a_write_and_parse()
    {
        var compared = 0;
        foreach (var file in CorpusRecords())
        {
            OsvAdvisory original;
            try { original = OsvParser.Parse(File.ReadAllText(file)); }
            catch (OsvParseException) { continue; } // deliberately malformed corpus records
            var written = OsvWriter.Write(original);
            var again = OsvParser.Parse(written);
            Assert.Multiple(() =>
            {
                Assert.That(AdvisoryFingerprint.AffectedHashOf(again), Is.EqualTo(AdvisoryFingerprint.AffectedHashOf(original)), file);
                Assert.That((again.Id, again.Summary, again.Details, again.Modified, again.Published, again.IsWithdrawn),
                    Is.EqualTo((original.Id, original.Summary, original.Details, original.Modified, original.Published, original.IsWithdrawn)), file);
                Assert.That(again.Aliases, Is.EqualTo(original.Aliases), file);
                Assert.That(again.Upstream, Is.EqualTo(original.Upstream), file);
                Assert.That(again.Severity, Is.EqualTo(original.Severity), file);
                Assert.That(again.References, Is.EqualTo(original.References), file);
                Assert.That(again.Affected.Select(a => a.Package), Is.EqualTo(original.Affected.Select(a => a.Package)), file);
                Assert.That(SameJson(again.DatabaseSpecific, original.DatabaseSpecific), Is.True, file);
                Assert.That(again.Affected.Zip(original.Affected).All(p => SameJson(p.First.EcosystemSpecific, p.Second.EcosystemSpecific)
                    && SameJson(p.First.DatabaseSpecific, p.Second.DatabaseSpecific)), Is.True, file);
                // Writing is deterministic: the same record gives the same text.
                Assert.That(OsvWriter.Write(again), Is.EqualTo(written), file);
            });
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(20));
    }

    private static bool SameJson(System.Text.Json.JsonElement? a, System.Text.Json.JsonElement? b) =>
        a is null || b is null ? a is null && b is null : System.Text.Json.JsonElement.DeepEquals(a.Value, b.Value);
}
