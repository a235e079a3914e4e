using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// Reads a VEX document of any supported format into <see cref="VexStatement"/>s. The format is told by the document's head
/// (its top-level members): an OpenVEX <c>@context</c>, a CycloneDX <c>bomFormat</c>, a CSAF <c>document.csaf_version</c>.
/// Every failure is a <see cref="VexDocumentException"/> naming the format and the field.
/// </summary>
public static class VexDocumentReader
{
    /// <summary>Reads a document from a stream, refusing one larger than <see cref="VexLimits.MaxDocumentBytes"/> before it is all read.</summary>
    public static async Task<VexDocument> ReadAsync(Stream stream, VexLimits? limits = null, string? subject = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= VexLimits.Default;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limits.MaxDocumentBytes) throw TooLarge(limits);
            buffer.Write(chunk, 0, read);
        }
        return Read(buffer.ToArray(), limits, subject);
    }

    /// <summary>Reads a whole document. <paramref name="subject"/>: the image digest it was found attached to, if any.</summary>
    public static VexDocument Read(byte[] content, VexLimits? limits = null, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        limits ??= VexLimits.Default;
        if (content.LongLength > limits.MaxDocumentBytes) throw TooLarge(limits);
        JsonDocument json;
        try
        {
            json = UntrustedJson.Parse(content, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            throw new VexDocumentException(null, "(document)", $"not valid JSON: {e.Message}", e);
        }
        using (json)
        {
            var format = Detect(json.RootElement);
            var document = format switch
            {
                VexFormat.OpenVex => OpenVexReader.Read(json.RootElement, limits),
                VexFormat.CycloneDx => CycloneDxVexReader.Read(json.RootElement, Digests.Sha256(content), limits),
                _ => CsafVexReader.Read(content, limits),
            };
            return subject is null ? document : document with { Subject = subject, Statements = document.Statements.Select(s => s with { Subject = subject }).ToList() };
        }
    }

    /// <summary>The format of a document by its top-level members; a VexDocumentException for anything else.</summary>
    public static VexFormat Detect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new VexDocumentException(null, "(document)", $"expected a JSON object, found {VexJson.Kind(root)}");
        if (VexJson.Text(root, "@context") is { } context)
            return context.StartsWith(OpenVexReader.ContextPrefix, StringComparison.Ordinal)
                ? VexFormat.OpenVex
                : throw new VexDocumentException(VexFormat.OpenVex, "@context", $"'{VexJson.Printable(context)}' is not an OpenVEX context ({OpenVexReader.ContextPrefix}/…)");
        if (VexJson.Text(root, "bomFormat") is { } bomFormat)
            return bomFormat == "CycloneDX"
                ? VexFormat.CycloneDx
                : throw new VexDocumentException(VexFormat.CycloneDx, "bomFormat", $"'{VexJson.Printable(bomFormat)}' is not CycloneDX");
        if (root.TryGetProperty("document", out var document) && document.ValueKind == JsonValueKind.Object && document.TryGetProperty("csaf_version", out _))
            return VexDocumentFormatOfCsaf(document);
        throw new VexDocumentException(null, "(document)", "neither OpenVEX (@context), CycloneDX (bomFormat) nor CSAF (document.csaf_version)");
    }

    private static VexFormat VexDocumentFormatOfCsaf(JsonElement document)
    {
        var category = VexJson.Text(document, "category");
        return category == "csaf_vex"
            ? VexFormat.Csaf
            : throw new VexDocumentException(VexFormat.Csaf, "document.category", $"'{VexJson.Printable(category ?? "")}' is not csaf_vex");
    }

    private static VexDocumentException TooLarge(VexLimits limits) =>
        new(null, "(document)", $"larger than {limits.MaxDocumentBytes} bytes (limit VexLimits.MaxDocumentBytes)");
}
