using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Inspector2.Coverage;
using ImageScanning.Gateway.Inspector2.SbomExports;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>
/// CreateSbomExport / GetSbomExport. The export runs in the Gateway's background (SbomExportWorker), into the directory or URL
/// the s3Destination's bucketName is mapped to (Inspector2:SbomExports). CYCLONEDX_1_4 documents are CycloneDX 1.4 (specVersion
/// "1.4"), SPDX_2_3 ones SPDX 2.3. kmsKeyArn is required by the model and echoed; nothing is encrypted (there is no KMS).
/// </summary>
public static class SbomExportOperations
{
    private static readonly Dictionary<string, SbomFormat> Formats = new(StringComparer.Ordinal)
    {
        ["CYCLONEDX_1_4"] = SbomFormat.CYCLONEDX_1_4,
        ["SPDX_2_3"] = SbomFormat.SPDX_2_3,
    };

    public static Task<JsonObject> CreateSbomExportAsync(Inspector2Call call)
    {
        var request = call.Request;
        var format = request.String("reportFormat") ?? throw Inspector2Errors.Validation("reportFormat is required.", "reportFormat");
        if (!Formats.TryGetValue(format, out var documentFormat))
            throw Inspector2Errors.Validation($"reportFormat must be one of {string.Join(", ", Formats.Keys)}.", "reportFormat");
        var destination = request.Object("s3Destination") ?? throw Inspector2Errors.Validation("s3Destination is required.", "s3Destination");
        var bucket = Text(destination, "bucketName", required: true)!;
        Text(destination, "kmsKeyArn", required: true);
        var keyPrefix = KeyPrefix(Text(destination, "keyPrefix", required: false));
        var options = call.Services.GetRequiredService<IOptions<Inspector2Options>>().Value;
        var target = options.Find(bucket) ?? throw Inspector2Errors.Validation(
            $"The bucket '{bucket}' is not configured: map it to a directory or URL with Inspector2:SbomExports:N:{{BucketName, Directory | Url}}.", "bucketName");
        var criteria = request.Object("resourceFilterCriteria");
        CoverageCriteria.ParseResourceFilter(criteria); // refuse a bad filter now, not in the background
        var reportId = Guid.NewGuid().ToString();
        var report = new SbomExportReport(reportId, format, documentFormat, (JsonObject)destination.DeepClone(), (JsonObject?)criteria?.DeepClone());
        if (!call.Services.GetRequiredService<SbomExportQueue>().TryStart(report, new SbomExportJob(reportId, target, keyPrefix, new JsonCriteria(report.FilterCriteria))))
            throw Inspector2Errors.Throttling($"{SbomExportQueue.MaxQueued} SBOM exports are already waiting: try again when one has finished.");
        return Task.FromResult(new JsonObject { ["reportId"] = reportId });
    }

    public static Task<JsonObject> GetSbomExportAsync(Inspector2Call call)
    {
        var reportId = call.Request.String("reportId") ?? throw Inspector2Errors.Validation("reportId is required.", "reportId");
        var report = call.Services.GetRequiredService<SbomExportQueue>().Get(reportId)
            ?? throw Inspector2Errors.NotFound($"No SBOM export '{reportId}' (reports are kept by the Gateway until it restarts).");
        var json = new JsonObject
        {
            ["reportId"] = report.ReportId,
            ["format"] = report.Format,
            ["status"] = report.Status,
            ["s3Destination"] = report.Destination.DeepClone(),
        };
        if (report.ErrorCode is not null) json["errorCode"] = report.ErrorCode;
        if (report.ErrorMessage is not null) json["errorMessage"] = report.ErrorMessage;
        if (report.FilterCriteria is not null) json["filterCriteria"] = report.FilterCriteria.DeepClone();
        return Task.FromResult(json);
    }

    /// <summary>The object key prefix, ending in '/' when given: relative, no "." or ".." segment, no backslash.</summary>
    private static string KeyPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix)) return "";
        var segments = prefix.Trim('/').Split('/');
        if (prefix.StartsWith('/') || prefix.Contains('\\') || segments.Any(s => s is "" or "." or ".."))
            throw Inspector2Errors.Validation("keyPrefix must be a relative key prefix without empty, '.' or '..' segments.", "keyPrefix");
        return string.Join('/', segments) + "/";
    }

    private static string? Text(JsonObject destination, string member, bool required) => destination[member] switch
    {
        null when required => throw Inspector2Errors.Validation($"s3Destination.{member} is required.", member),
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) && (s.Length > 0 || !required) => s,
        _ => throw Inspector2Errors.Validation($"s3Destination.{member} must be a non-empty string.", member),
    };
}
