namespace ImageScanning.AwsWire;

/// <summary>
/// Where an Inspector finding is rendered, which decides the few things the wire formats disagree on: timestamps (epoch seconds
/// in the AWS APIs, Inspector's display string in EventBridge, ISO 8601 in the REST API) and ECR's own names for the score
/// (<c>score</c>/<c>scoreDetails</c>, <c>url</c>) where Inspector says <c>inspectorScore</c>/<c>inspectorScoreDetails</c>, <c>Url</c>.
/// </summary>
public enum InspectorFindingForm
{
    /// <summary>Inspector2's ListFindings and BatchGetFindingDetails (REST-JSON).</summary>
    Inspector2Api,

    /// <summary>ECR's DescribeImageScanFindings enhancedFindings (EnhancedImageScanFinding, AWS JSON 1.1).</summary>
    EcrApi,

    /// <summary>The detail of the "Inspector2 Finding" EventBridge event.</summary>
    EventBridge,

    /// <summary>The platform's REST API (<c>/api/v1/findings</c>).</summary>
    RestApi,
}
