using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.AwsWire;

/// <summary>
/// One aggregation bucket of ListFindingAggregations (INTERFACES §2.4) in its response member's fields, for the REST API and
/// Inspector2 alike. Inspector2 names an image by its ARN (as its findings do); the REST API keeps its registry/repository@digest.
/// Members the platform does not hold (an image's architecture and tags, in-use counts) are left out.
/// </summary>
public static class InspectorAggregationJson
{
    /// <summary>The AggregationResponse member each type answers in.</summary>
    public static string Member(FindingAggregationType type) => type switch
    {
        FindingAggregationType.REPOSITORY => "repositoryAggregation",
        FindingAggregationType.AWS_ECR_CONTAINER => "awsEcrContainerAggregation",
        FindingAggregationType.IMAGE_LAYER => "imageLayerAggregation",
        FindingAggregationType.PACKAGE => "packageAggregation",
        _ => "titleAggregation",
    };

    /// <summary>One AggregationResponse: <c>{member: {...}}</c>.</summary>
    public static JsonObject Response(FindingAggregationType type, FindingAggregationBucket bucket, AwsAccount account, InspectorFindingForm form) =>
        new() { [Member(type)] = Bucket(type, bucket, account, form) };

    public static JsonObject Bucket(FindingAggregationType type, FindingAggregationBucket b, AwsAccount account, InspectorFindingForm form)
    {
        var counts = new JsonObject { ["all"] = b.SeverityCounts.All, ["medium"] = b.SeverityCounts.Medium, ["high"] = b.SeverityCounts.High, ["critical"] = b.SeverityCounts.Critical };
        string ImageId() => form == InspectorFindingForm.RestApi
            ? $"{b.Registry}/{b.Repository}@{b.ImageDigest}"
            : account.ImageArn(b.Registry ?? "", b.Repository ?? "", b.ImageDigest ?? "");
        var json = type switch
        {
            FindingAggregationType.REPOSITORY => new JsonObject { ["repository"] = b.Repository, ["affectedImages"] = b.AffectedImages },
            FindingAggregationType.AWS_ECR_CONTAINER => new JsonObject { ["resourceId"] = ImageId(), ["imageSha"] = b.ImageDigest, ["repository"] = b.Repository },
            FindingAggregationType.IMAGE_LAYER => new JsonObject { ["repository"] = b.Repository, ["resourceId"] = ImageId(), ["layerHash"] = b.LayerHash },
            FindingAggregationType.PACKAGE => new JsonObject { ["packageName"] = b.PackageName },
            _ => new JsonObject { ["title"] = b.Title ?? b.VulnerabilityId, ["vulnerabilityId"] = b.VulnerabilityId },
        };
        // The REST API also names the platform registry of the group (Inspector2's shapes have no such member).
        if (form == InspectorFindingForm.RestApi && b.Registry is not null) json["registry"] = b.Registry;
        json["accountId"] = b.Registry is null ? account.AccountId : account.RegistryIdOf(b.Registry);
        json["severityCounts"] = counts;
        return json;
    }
}
