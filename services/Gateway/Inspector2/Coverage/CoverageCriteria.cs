using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2.Coverage;

/// <summary>One covered resource with what its filters and rendering need: the resource, its ARN and the registry's account id.</summary>
public sealed record CoverageItem(CoveredResource Resource, string ResourceArn, string AccountId);

/// <summary>
/// ListCoverage's and ListCoverageStatistics' <c>filterCriteria</c> (CoverageFilterCriteria) for ECR images and repositories.
/// Members for EC2, Lambda and code repositories, scanMode, and the in-use members (this platform does not track in-use images)
/// are refused by name rather than ignored.
/// </summary>
public sealed class CoverageCriteria
{
    private static readonly string[] StringComparisons = ["EQUALS", "NOT_EQUALS"];

    private static readonly string[] Unsupported =
    [
        "ec2InstanceTags", "lambdaFunctionName", "lambdaFunctionTags", "lambdaFunctionRuntime", "scanMode", "ecrImageLastInUseAt",
        "ecrImageInUseCount", "codeRepositoryProjectName", "codeRepositoryProviderType", "codeRepositoryProviderTypeVisibility",
        "lastScannedCommitId",
    ];

    private static readonly string[] Supported =
        ["scanStatusCode", "scanStatusReason", "accountId", "resourceId", "resourceType", "scanType", "ecrRepositoryName", "ecrImageTags", "lastScannedAt", "imagePulledAt"];

    private IReadOnlyList<StringFilter> _statusCode = [], _reason = [], _accountId = [], _resourceId = [], _resourceType = [], _scanType = [],
        _repository = [], _tags = [];
    private IReadOnlyList<DateFilter> _lastScannedAt = [], _pulledAt = [];

    /// <summary>The members of ResourceFilterCriteria (CreateSbomExport), a subset of CoverageFilterCriteria's.</summary>
    private static readonly string[] ResourceFilterMembers = ["accountId", "resourceId", "resourceType", "ecrRepositoryName", "ecrImageTags"];

    private static readonly string[] ResourceFilterUnsupported = ["lambdaFunctionName", "ec2InstanceTags", "lambdaFunctionTags"];

    /// <summary>CreateSbomExport's resourceFilterCriteria, read as the coverage criteria it is a subset of.</summary>
    public static CoverageCriteria ParseResourceFilter(JsonObject? criteria)
    {
        foreach (var (member, _) in criteria ?? [])
        {
            if (ResourceFilterUnsupported.Contains(member))
                throw Inspector2Errors.Validation($"resourceFilterCriteria.{member} is not supported: this platform exports SBOMs of ECR container images only.", member);
            if (!ResourceFilterMembers.Contains(member))
                throw Inspector2Errors.Validation($"resourceFilterCriteria.{member} is not a member of ResourceFilterCriteria.", member);
        }
        return Parse(criteria);
    }

    public static CoverageCriteria Parse(JsonObject? criteria)
    {
        var parsed = new CoverageCriteria();
        if (criteria is null) return parsed;
        foreach (var (member, _) in criteria)
        {
            if (Unsupported.Contains(member))
                throw Inspector2Errors.Validation(
                    $"filterCriteria.{member} is not supported: this platform covers ECR container images and repositories only, and does not track images in use.",
                    member);
            if (!Supported.Contains(member))
                throw Inspector2Errors.Validation($"filterCriteria.{member} is not a member of CoverageFilterCriteria.", member);
        }
        parsed._statusCode = Inspector2FilterLists.Strings(criteria, "scanStatusCode", StringComparisons);
        parsed._reason = Inspector2FilterLists.Strings(criteria, "scanStatusReason", StringComparisons);
        parsed._accountId = Inspector2FilterLists.Strings(criteria, "accountId", StringComparisons);
        parsed._resourceId = Inspector2FilterLists.Strings(criteria, "resourceId", StringComparisons);
        parsed._resourceType = Inspector2FilterLists.Strings(criteria, "resourceType", StringComparisons);
        parsed._scanType = Inspector2FilterLists.Strings(criteria, "scanType", StringComparisons);
        parsed._repository = Inspector2FilterLists.Strings(criteria, "ecrRepositoryName", StringComparisons);
        parsed._tags = Inspector2FilterLists.Strings(criteria, "ecrImageTags", StringComparisons);
        parsed._lastScannedAt = Inspector2FilterLists.Dates(criteria, "lastScannedAt");
        parsed._pulledAt = Inspector2FilterLists.Dates(criteria, "imagePulledAt");
        return parsed;
    }

    /// <summary>The one repository an EQUALS filter names (for ScanRouter's listing), or null.</summary>
    public string? Repository => Inspector2FilterLists.SingleEquals(_repository);

    /// <summary>Whether resources of this type can match (so a whole kind of listing can be skipped).</summary>
    public bool Admits(string resourceType) => Inspector2FilterLists.Matches(_resourceType, resourceType);

    public bool Matches(CoverageItem item)
    {
        var r = item.Resource;
        return Inspector2FilterLists.Matches(_statusCode, r.StatusCode)
            && Inspector2FilterLists.Matches(_reason, r.Reason)
            && Inspector2FilterLists.Matches(_accountId, item.AccountId)
            && Inspector2FilterLists.Matches(_resourceId, item.ResourceArn)
            && Inspector2FilterLists.Matches(_resourceType, r.ResourceType)
            && Inspector2FilterLists.Matches(_scanType, CoverageJson.InspectorScanType)
            && Inspector2FilterLists.Matches(_repository, r.Repository)
            && Inspector2FilterLists.Matches(_tags, r.ImageTags.ToList())
            && Inspector2FilterLists.Matches(_lastScannedAt, r.LastScannedAt)
            && Inspector2FilterLists.Matches(_pulledAt, r.LastPulledAt);
    }
}
