using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// What a scan request id stands for: the artifact, and the time after which its result counts (a scan this request started).
/// The id is this record as base64url JSON: no state is kept between POST /scan and its report, so any Gateway instance (or a
/// restarted one) answers the polls. It grants nothing: the report it reads is one the same token could request with POST /scan.
/// </summary>
public sealed record HarborScanRequestId(
    [property: JsonPropertyName("r")] string Registry,
    [property: JsonPropertyName("p")] string Repository,
    [property: JsonPropertyName("d")] string Digest,
    [property: JsonPropertyName("t")] string? Tag,
    [property: JsonPropertyName("m")] string? MimeType,
    [property: JsonPropertyName("a")] long AcceptedAtMs,
    [property: JsonPropertyName("s")] long ResultSinceMs)
{
    /// <summary>When Harbor's request was accepted.</summary>
    [JsonIgnore] public DateTimeOffset AcceptedAt => DateTimeOffset.FromUnixTimeMilliseconds(AcceptedAtMs);

    /// <summary>A scan that completed before this time is not this request's result (0: the latest result is).</summary>
    [JsonIgnore] public DateTimeOffset ResultSince => DateTimeOffset.FromUnixTimeMilliseconds(ResultSinceMs);

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>The id's content, or null when it is not an id this adapter issued (the report answers 404).</summary>
    public static HarborScanRequestId? Decode(string id)
    {
        if (id.Length is 0 or > 4096) return null;
        try
        {
            var decoded = JsonSerializer.Deserialize<HarborScanRequestId>(Base64Url.DecodeFromChars(id));
            return decoded is { Registry.Length: > 0, Repository.Length: > 0 } && HarborScanRequest.IsDigest(decoded.Digest) ? decoded : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
