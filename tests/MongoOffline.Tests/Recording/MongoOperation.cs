using MongoDB.Bson;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// One command a store sent, as the driver rendered it: the collection, the command name ("find", "update", "createIndexes",
/// "commitTransaction" …), the session's transaction it ran in (null: none) and the rendered parts (filter, update, sort …).
/// </summary>
public sealed record MongoOperation(string Collection, string Command, int? Transaction, BsonDocument Parts)
{
    public BsonDocument? Filter => Parts.TryGetValue("filter", out var f) && f.IsBsonDocument ? f.AsBsonDocument : null;

    public BsonDocument? Sort => Parts.TryGetValue("sort", out var s) && s.IsBsonDocument ? s.AsBsonDocument : null;

    public bool IsRead => Command is "find" or "count" or "aggregate" or "distinct";

    public override string ToString() =>
        $"{Collection}.{Command}{(Transaction is { } t ? $" [txn {t}]" : "")} {Parts.ToJson(RecordingMongo.Json)}";
}

/// <summary>An index a store declared: its collection, keys in order and whether it is unique.</summary>
public sealed record DeclaredIndex(string Collection, IReadOnlyList<string> Keys, bool Unique, BsonDocument? PartialFilter)
{
    public override string ToString() => $"{Collection} {{{string.Join(", ", Keys)}}}{(Unique ? " unique" : "")}";
}
