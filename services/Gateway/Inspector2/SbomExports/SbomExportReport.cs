using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2.SbomExports;

/// <summary>
/// One SBOM export as GetSbomExport answers it. <see cref="Format"/> is the request's reportFormat, <see cref="DocumentFormat"/> the
/// document Findings writes for it; Destination and FilterCriteria are echoed as given.
/// </summary>
public sealed record SbomExportReport(
    string ReportId, string Format, SbomFormat DocumentFormat, JsonObject Destination, JsonObject? FilterCriteria,
    string Status = SbomExportReport.InProgress, string? ErrorCode = null, string? ErrorMessage = null, int Written = 0)
{
    public const string InProgress = "IN_PROGRESS";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";

    public SbomExportReport Fail(string code, string message) => this with { Status = Failed, ErrorCode = code, ErrorMessage = message };
}
