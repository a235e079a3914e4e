using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Harbor;

/// <summary>What a vulnerability report is rendered from: the request it answers, the stored result, the time it is made.</summary>
public sealed record HarborReportInput(HarborScanRequestId Request, ImageFindingsResult Findings, DateTimeOffset GeneratedAt);

/// <summary>One wire format of the vulnerability report: the media type Harbor names in Accept, and its JSON.</summary>
public interface IHarborReportRenderer
{
    string MediaType { get; }

    JsonObject Render(HarborReportInput input);
}
