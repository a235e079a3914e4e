using ImageScanning.ScanRouter.Data;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>
/// Offline (no server): the tag move's update, rendered by the driver's own serializer registry, is the one-document update
/// pipeline the store relies on: a tag already naming this digest keeps its position, any other gets the new one.
/// </summary>
[TestFixture]
public sealed class MongoTagMoveRenderingTests
{
    [Test]
    public void A_tag_move_renders_as_one_set_stage_that_keeps_the_position_of_a_tag_already_here()
    {
        var digest = "sha256:" + new string('a', 64);
        var at = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var rendered = MongoImageCatalogStore.PointAt(digest, 42, at)
            .Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));

        var expected = new BsonArray
        {
            new BsonDocument("$set", new BsonDocument
            {
                { "order", new BsonDocument("$cond", new BsonArray
                    {
                        new BsonDocument("$eq", new BsonArray { "$digest", new BsonDocument("$literal", digest) }),
                        "$order",
                        new BsonInt64(42),
                    }) },
                { "digest", new BsonDocument("$literal", digest) },
                { "updatedAt", new BsonDateTime(at.ToUnixTimeMilliseconds()) },
            }),
        };
        Assert.That(rendered, Is.EqualTo(expected), rendered.ToJson());
    }

    [Test]
    public void A_digest_that_looks_like_a_field_path_stays_a_literal()
    {
        var rendered = MongoImageCatalogStore.PointAt("$order", 1, DateTimeOffset.UnixEpoch)
            .Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));
        Assert.That(rendered[0]["$set"]["digest"], Is.EqualTo(new BsonDocument("$literal", "$order")));
    }
}
