using System.Text;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>The CSAF and VEX readers never throw on bad data: mangled real documents give skips, not exceptions.</summary>
[TestFixture]
public sealed class RedHatFeedHostileInputTests
{
    private static readonly INativeAdvisorySource[] Readers = [new RedHatCsafSource(), new RedHatVexSource()];

    private static IEnumerable<string> Mangled(string json, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 40; i++) yield return json[..random.Next(json.Length)];
        string[] swaps = ["\"fixed\": [", "\"product_tree\": {", "\"branches\": [", "\"relationships\": [", "\"vulnerabilities\": [", "\"scores\": ["];
        foreach (var swap in swaps)
        {
            yield return json.Replace(swap, swap[..^1] + "7, \"unused\": [");
            yield return json.Replace(swap, swap[..^1] + "\"text\", \"unused\": " + swap[^1]);
        }
        var chars = json.ToCharArray();
        for (var i = 0; i < 200; i++) chars[random.Next(chars.Length)] = "{}[]\":,0a-"[random.Next(10)];
        yield return new string(chars);
    }

    [TestCase("redhat-csaf", "rhsa-2024_4546.json")]
    [TestCase("redhat-vex", "cve-2024-24786-simple.json")]
    public async Task Mangled_documents_never_throw(string folder, string file)
    {
        var json = await File.ReadAllTextAsync(Corpus.PathOf("native", folder, file));
        var documents = 0;
        foreach (var mangled in Mangled(json, seed: 20261204))
            foreach (var reader in Readers)
            {
                var feed = await reader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(mangled)));
                Assert.That(feed.Advisories.Count + feed.Skipped.Count, Is.GreaterThan(0), "a document gives a record or says why not");
                documents++;
            }
        Assert.That(documents, Is.GreaterThan(100));
    }
}
