using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using MongoDB.Bson;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>Offline (no server): the advisory document MongoAdvisoryStore writes, and the size check that rejects one record.</summary>
public sealed class MongoAdvisoryDocumentTests
{
    /// <summary>An OSV record whose details alone exceed MongoDB's 16 MiB document limit.</summary>
    public static (OsvAdvisory Advisory, string Raw) Oversized(string id)
    {
        var node = JsonNode.Parse(OsvCorpus.Raw("debian", "DLA-3008-1"))!.AsObject();
        node["id"] = id;
        node["details"] = new string('x', MongoDocumentLimit.MaxDocumentBytes + 1024);
        var raw = node.ToJsonString();
        return (OsvParser.Parse(raw), raw);
    }

    [Test]
    public void A_corpus_advisory_is_a_small_document_that_reads_back_as_stored()
    {
        var raw = OsvCorpus.Raw("debian", "DLA-3008-1");
        var advisory = OsvParser.Parse(raw);
        var document = MongoAdvisoryStore.ToDocument(advisory, raw, AdvisoryFingerprint.Of(advisory, raw), DateTime.UtcNow);
        var back = MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(document.ToBson());

        Assert.Multiple(() =>
        {
            Assert.That(MongoDocumentLimit.Problem(document, MongoAdvisoryStore.CollectionName, "DLA-3008-1"), Is.Null);
            Assert.That(back["json"].AsString, Is.EqualTo(raw));
            Assert.That(OsvParser.Parse(back["json"].AsString).Id, Is.EqualTo("DLA-3008-1"));
            Assert.That(back["packageKeys"].AsBsonArray.Select(k => k.AsString), Is.Not.Empty);
        });
    }

    [Test]
    public void An_oversized_advisory_has_a_reason_naming_it_the_size_and_the_limit()
    {
        var (advisory, raw) = Oversized("DLA-HUGE-1");
        var document = MongoAdvisoryStore.ToDocument(advisory, raw, AdvisoryFingerprint.Of(advisory, raw), DateTime.UtcNow);

        var problem = MongoDocumentLimit.Problem(document, MongoAdvisoryStore.CollectionName, "the advisory DLA-HUGE-1");

        Assert.That(problem, Does.Contain("the advisory DLA-HUGE-1").And.Contain("'advisories'").And.Contain("16777216").And.Contain(document.ToBson().Length.ToString()));
    }
}
