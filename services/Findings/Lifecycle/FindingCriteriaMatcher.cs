using System.Globalization;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// The one judge of Inspector's FilterCriteria (ListFindings, and filters/suppression rules). Members AND together; within a member
/// EQUALS and PREFIX filters OR together and NOT_EQUALS filters AND together (a member with both needs one positive to hold and
/// every negative). Strings compare ordinally, as Inspector does. Each attribute is the value Inspector2's API shows for the finding
/// (<see cref="InspectorFindingJson"/>): severity UNDEFINED is UNTRIAGED, the registry is its 12-digit id, the resource id is the
/// image ARN. A multi-valued attribute (image tags, related vulnerabilities) matches EQUALS/PREFIX when any value does and
/// NOT_EQUALS when none equals. An attribute a container-image finding does not have (EC2, Lambda, code, network, resource tags,
/// push date, last-in-use date and count, EPSS, image architecture): EQUALS/PREFIX and ranges never match, NOT_EQUALS always does.
/// </summary>
public static class FindingCriteriaMatcher
{
    public const string FindingType = "PACKAGE_VULNERABILITY";
    public const string ResourceType = "AWS_ECR_CONTAINER_IMAGE";
    public const string ExploitAvailable = "NO"; // no exploit feed is imported

    public static bool Matches(FindingCriteria c, CriteriaSubject s, AwsAccount account)
    {
        var f = s.Finding;
        var image = s.Image;
        return Str(c.FindingArn, s.FindingArn)
            && Str(c.AwsAccountId, account.AccountId)
            && Str(c.FindingType, FindingType)
            && Str(c.Severity, InspectorFindingJson.Severity(f.Severity))
            && Dates(c.FirstObservedAt, s.FirstObservedAt)
            && Dates(c.LastObservedAt, s.LastObservedAt)
            && Dates(c.UpdatedAt, s.UpdatedAt)
            && Str(c.FindingStatus, s.Status.ToString())
            && Str(c.Title, InspectorFindingJson.Title(f))
            && Numbers(c.InspectorScore, f.CvssScore)
            && Str(c.ResourceType, ResourceType)
            && Str(c.ResourceId, account.ImageArn(image.Registry, image.Repository, image.Digest))
            && c.ResourceTags is not { Count: > 0 } // images carry no resource tags here; MapFilter is EQUALS only
            && Absent(c.Ec2InstanceImageId) && Absent(c.Ec2InstanceVpcId) && Absent(c.Ec2InstanceSubnetId)
            && Dates(c.EcrImagePushedAt, null) // Findings does not know when an image was pushed
            && Absent(c.EcrImageArchitecture)
            && Str(c.EcrImageRegistry, account.RegistryIdOf(image.Registry))
            && Str(c.EcrImageRepositoryName, image.Repository)
            && Strs(c.EcrImageTags, image.Tags)
            && Str(c.EcrImageHash, image.Digest)
            && Dates(c.EcrImageLastInUseAt, null) && Numbers(c.EcrImageInUseCount, null)
            && c.PortRange is not { Count: > 0 }
            && Absent(c.NetworkProtocol) && Absent(c.ComponentId) && Absent(c.ComponentType)
            && Str(c.VulnerabilityId, f.VulnerabilityId)
            && Str(c.VulnerabilitySource, InspectorFindingJson.Source(f.Package))
            && Str(c.VendorSeverity, f.VendorSeverity ?? f.Severity.ToString())
            && Packages(c.VulnerablePackages, f)
            && Strs(c.RelatedVulnerabilities, f.Aliases)
            && Str(c.FixAvailable, s.FixAvailable.ToString())
            && Absent(c.LambdaFunctionName) && Absent(c.LambdaFunctionLayers) && Absent(c.LambdaFunctionRuntime)
            && Dates(c.LambdaFunctionLastModifiedAt, null) && Absent(c.LambdaFunctionExecutionRoleArn)
            && Str(c.ExploitAvailable, ExploitAvailable)
            && Absent(c.CodeVulnerabilityDetectorName) && Absent(c.CodeVulnerabilityDetectorTags) && Absent(c.CodeVulnerabilityFilePath)
            && Numbers(c.EpssScore, null) // EPSS is not imported
            && Absent(c.CodeRepositoryProjectName) && Absent(c.CodeRepositoryProviderType);
    }

    /// <summary>Whether one string filter member holds for a single-valued attribute (null: the finding has none).</summary>
    public static bool Str(IReadOnlyList<StringFilter>? filters, string? value) => InspectorFilterMatch.Holds(filters, value);

    /// <summary>Whether one string filter member holds for a multi-valued attribute.</summary>
    public static bool Strs(IReadOnlyList<StringFilter>? filters, IReadOnlyList<string> values) => InspectorFilterMatch.Holds(filters, values);

    private static bool Absent(IReadOnlyList<StringFilter>? filters) => Str(filters, null);

    private static bool Dates(IReadOnlyList<DateFilter>? filters, DateTimeOffset? value) => InspectorFilterMatch.Holds(filters, value);

    private static bool Numbers(IReadOnlyList<NumberFilter>? filters, double? value) => InspectorFilterMatch.Holds(filters, value);

    private static bool Packages(IReadOnlyList<PackageFilter>? filters, VulnerabilityFinding f)
    {
        if (filters is not { Count: > 0 }) return true;
        var p = f.Package;
        return filters.Any(x =>
            One(x.Name, p.Name) && One(x.Version, p.Version) && (x.Epoch is null || Numbers([x.Epoch], Epoch(p.Version)))
            && One(x.Release, null) && One(x.Architecture, p.Architecture) && One(x.SourceLayerHash, p.LayerDigest)
            && One(x.SourceLambdaLayerArn, null) && One(x.FilePath, p.FilePath));
    }

    private static bool One(StringFilter? filter, string? value) => filter is null || Str([filter], value);

    /// <summary>The epoch of a dpkg/rpm-style version ("1:2.3-4" → 1); 0 without one, as Inspector reports.</summary>
    public static int Epoch(string version)
    {
        var colon = version.IndexOf(':');
        return colon > 0 && int.TryParse(version.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : 0;
    }
}
