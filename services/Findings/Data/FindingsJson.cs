using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageScanning.Findings.Data;

/// <summary>How scan records are serialised inside the stores: enums by name so stored data stays readable.</summary>
internal static class FindingsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(ImageScanRecord record) => JsonSerializer.Serialize(record, Options);

    public static ImageScanRecord Deserialize(string json) =>
        JsonSerializer.Deserialize<ImageScanRecord>(json, Options) ?? throw new InvalidDataException("Stored scan record is empty.");
}
