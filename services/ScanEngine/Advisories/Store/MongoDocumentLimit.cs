using MongoDB.Bson;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>
/// MongoDB's limit on one stored document (16 MiB of BSON, the server's <c>maxBsonObjectSize</c>; not a setting of ours: the
/// server refuses anything larger). Stores check a document against it before writing, so an oversized one fails with a reason
/// naming what it was, instead of a server error on every redelivery. Shared by every service's Mongo stores (they all
/// reference ScanEngine); it would live in ServiceDefaults/Storage if ScanEngine referenced it.
/// </summary>
public static class MongoDocumentLimit
{
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    /// <summary>The document's BSON size (what the server measures).</summary>
    public static int SizeOf(BsonDocument document) => document.ToBson().Length;

    /// <summary>Throws <see cref="MongoDocumentTooLargeException"/> when <paramref name="document"/> is over the limit.</summary>
    public static void EnsureFits(BsonDocument document, string collection, string subject)
    {
        var size = SizeOf(document);
        if (size > MaxDocumentBytes) throw new MongoDocumentTooLargeException(collection, subject, size);
    }

    /// <summary>The failure reason for <paramref name="size"/> bytes, when over the limit; null when it fits.</summary>
    public static string? Problem(BsonDocument document, string collection, string subject)
    {
        var size = SizeOf(document);
        return size > MaxDocumentBytes ? MongoDocumentTooLargeException.Describe(collection, subject, size) : null;
    }
}

/// <summary>
/// A document over <see cref="MongoDocumentLimit.MaxDocumentBytes"/>, even compressed: permanent (no retry stores it), so it is
/// not a transient failure and the message carrying it faults with this reason.
/// </summary>
public sealed class MongoDocumentTooLargeException(string collection, string subject, long sizeBytes)
    : InvalidOperationException(Describe(collection, subject, sizeBytes))
{
    public string Collection { get; } = collection;
    public string Subject { get; } = subject;
    public long SizeBytes { get; } = sizeBytes;

    internal static string Describe(string collection, string subject, long size) =>
        $"MongoDB store: {subject} is {size} bytes as one document of collection '{collection}' (after compression), over MongoDB's " +
        $"{MongoDocumentLimit.MaxDocumentBytes}-byte (16 MiB) document limit; it cannot be stored.";
}
