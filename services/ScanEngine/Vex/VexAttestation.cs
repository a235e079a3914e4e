using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// Takes the VEX document out of an attestation: a Sigstore bundle's <c>dsseEnvelope</c>, a DSSE envelope's base64
/// <c>payload</c> (payloadType application/vnd.in-toto+json), an in-toto statement's <c>predicate</c>. Signatures are not
/// verified here: a document is trusted as far as the registry's push access is (see docs/vex.md).
/// </summary>
public static class VexAttestation
{
    private const int MaxNesting = 3;

    /// <summary>The predicate of the attestation, or the content unchanged when it is no attestation. Null when it is an attestation of something else.</summary>
    public static byte[]? Unwrap(byte[] content)
    {
        var current = content;
        for (var level = 0; level < MaxNesting; level++)
        {
            JsonDocument json;
            try
            {
                json = UntrustedJson.Parse(current, new JsonDocumentOptions { MaxDepth = 128 });
            }
            catch (JsonException)
            {
                return current; // the reader says what is wrong with it
            }
            using (json)
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return current;
                if (root.TryGetProperty("dsseEnvelope", out var envelope) && envelope.ValueKind == JsonValueKind.Object)
                {
                    current = Encoding.UTF8.GetBytes(envelope.GetRawText());
                    continue;
                }
                if (VexJson.Text(root, "payloadType") is not null && VexJson.Text(root, "payload") is { } payload)
                {
                    try
                    {
                        current = Convert.FromBase64String(payload);
                    }
                    catch (FormatException)
                    {
                        throw new VexDocumentException(null, "payload", "the DSSE envelope's payload is not base64");
                    }
                    continue;
                }
                if (VexJson.Text(root, "_type") is { } type && type.StartsWith("https://in-toto.io/Statement", StringComparison.Ordinal))
                {
                    var predicateType = VexJson.Text(root, "predicateType") ?? "";
                    if (!VexArtifactTypes.IsVexPredicate(predicateType)) return null;
                    if (!root.TryGetProperty("predicate", out var predicate) || predicate.ValueKind != JsonValueKind.Object)
                        throw new VexDocumentException(null, "predicate", "the in-toto statement has no predicate object");
                    return Encoding.UTF8.GetBytes(predicate.GetRawText());
                }
                return current;
            }
        }
        throw new VexDocumentException(null, "(document)", $"attestations nested more than {MaxNesting} deep");
    }
}
