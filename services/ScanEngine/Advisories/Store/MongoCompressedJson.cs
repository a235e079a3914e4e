using System.IO.Compression;
using System.Text;
using MongoDB.Bson;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>
/// Large JSON in a Mongo document as Brotli-compressed UTF-8 in a BSON binary, with a marker field "&lt;field&gt;Encoding":
/// "brotli". A document written before compression (the field a BSON string, no marker) still reads. Scan results and
/// inventories compress 10–20 times (repeated keys, package names, URLs), which keeps a 10,000-finding scan or a 50,000-package
/// inventory far under the 16 MiB document limit.
/// </summary>
public static class MongoCompressedJson
{
    public const string Brotli = "brotli";

    public static string EncodingField(string field) => field + "Encoding";

    /// <summary>Sets <paramref name="field"/> (and its marker) on <paramref name="document"/> to <paramref name="json"/>, compressed.</summary>
    public static BsonDocument Set(BsonDocument document, string field, string json)
    {
        document[field] = Compress(json);
        document[EncodingField(field)] = Brotli;
        return document;
    }

    public static BsonBinaryData Compress(string json)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            brotli.Write(bytes);
        }
        return new BsonBinaryData(buffer.ToArray(), BsonBinarySubType.Binary);
    }

    /// <summary>The JSON of <paramref name="field"/>: decompressed when marked, as stored when a plain string (older documents).</summary>
    public static string Read(BsonDocument document, string field)
    {
        var value = document[field];
        if (value.IsString) return value.AsString;
        var encoding = document.GetValue(EncodingField(field), BsonNull.Value);
        if (!value.IsBsonBinaryData || !encoding.IsString || encoding.AsString != Brotli)
            throw new InvalidDataException(
                $"MongoDB document {document.GetValue("_id", BsonNull.Value)}: field '{field}' is a {value.BsonType} with encoding '{encoding}', not JSON text or Brotli-compressed JSON.");
        using var brotli = new BrotliStream(new MemoryStream(value.AsBsonBinaryData.Bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(brotli, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
