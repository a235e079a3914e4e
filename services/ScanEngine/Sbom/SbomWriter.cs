using System.Globalization;
using System.Text.Json.Nodes;

namespace ImageScanning.ScanEngine.Sbom;

/// <summary>The image an SBOM describes.</summary>
public sealed record SbomSubject(string Name, string Digest, string ToolName);

/// <summary>One package of the image, with its package URL.</summary>
public sealed record SbomComponent(string Name, string Version, string Purl, string Path, string Layer);

/// <summary>One vulnerability (CycloneDX only); Severity is the wire name (CRITICAL, ..., UNTRIAGED).</summary>
public sealed record SbomVulnerability(
    string Id, IReadOnlyList<string> Aliases, string Severity, string? Title, string? Url, double? CvssScore, string? CvssVector, IReadOnlyList<string> AffectedPurls);

/// <summary>
/// SBOM documents of a scanned image, shared by the imagescan CLI and the platform's SBOM export:
/// CycloneDX 1.5 JSON (components and, when given, vulnerabilities) and SPDX 2.3 JSON (packages with purls).
/// </summary>
public static class SbomWriter
{
    /// <summary>
    /// CycloneDX 1.5 (default) or 1.4 (<paramref name="specVersion"/> "1.4", Inspector's CYCLONEDX_1_4): every member written is
    /// in both schemas except metadata.tools, which 1.4 has as a list of tools and 1.5 as an object of components.
    /// </summary>
    public static JsonObject CycloneDx(
        SbomSubject subject, IEnumerable<SbomComponent> packages, IEnumerable<SbomVulnerability> findings, DateTimeOffset timestamp, string specVersion = "1.5")
    {
        if (specVersion is not ("1.4" or "1.5")) throw new ArgumentException("CycloneDX 1.4 or 1.5.", nameof(specVersion));
        var components = new JsonArray();
        foreach (var p in packages.DistinctBy(p => p.Purl))
            components.Add(new JsonObject
            {
                ["type"] = "library",
                ["bom-ref"] = p.Purl,
                ["name"] = p.Name,
                ["version"] = p.Version,
                ["purl"] = p.Purl,
                ["properties"] = new JsonArray(
                    new JsonObject { ["name"] = "imagescan:layer", ["value"] = p.Layer },
                    new JsonObject { ["name"] = "imagescan:path", ["value"] = p.Path }),
            });
        var vulnerabilities = new JsonArray();
        foreach (var group in findings.GroupBy(f => f.Id))
        {
            var f = group.First();
            var rating = new JsonObject { ["severity"] = f.Severity is "UNTRIAGED" or "UNDEFINED" ? "unknown" : f.Severity.ToLowerInvariant() };
            if (f.CvssScore is { } score)
            {
                rating["score"] = score;
                rating["method"] = f.CvssVector?.StartsWith("CVSS:3.1", StringComparison.Ordinal) == true ? "CVSSv31" : "CVSSv3";
                rating["vector"] = f.CvssVector;
            }
            vulnerabilities.Add(new JsonObject
            {
                ["bom-ref"] = "vuln:" + f.Id,
                ["id"] = f.Id,
                ["source"] = new JsonObject { ["name"] = "OSV", ["url"] = f.Url },
                ["ratings"] = new JsonArray(rating),
                ["description"] = f.Title,
                ["references"] = new JsonArray(f.Aliases.Select(a => (JsonNode?)new JsonObject { ["id"] = a, ["source"] = new JsonObject { ["name"] = "alias" } }).ToArray()),
                ["affects"] = new JsonArray(group.SelectMany(g => g.AffectedPurls).Distinct().Select(purl => (JsonNode?)new JsonObject { ["ref"] = purl }).ToArray()),
            });
        }
        return new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = specVersion,
            ["serialNumber"] = "urn:uuid:" + Guid.NewGuid(),
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = Timestamp(timestamp),
                ["tools"] = specVersion == "1.4"
                    ? new JsonArray(new JsonObject { ["name"] = subject.ToolName })
                    : new JsonObject { ["components"] = new JsonArray(new JsonObject { ["type"] = "application", ["name"] = subject.ToolName }) },
                ["component"] = new JsonObject { ["type"] = "container", ["name"] = subject.Name, ["bom-ref"] = subject.Digest },
            },
            ["components"] = components,
            ["vulnerabilities"] = vulnerabilities,
        };
    }

    /// <summary>SPDX 2.3: the image as the described CONTAINER package, which CONTAINS each package (purl as a PACKAGE-MANAGER ref).</summary>
    public static JsonObject Spdx(SbomSubject subject, IEnumerable<SbomComponent> packages, DateTimeOffset timestamp)
    {
        const string imageId = "SPDXRef-Image";
        var spdxPackages = new JsonArray(new JsonObject
        {
            ["name"] = subject.Name,
            ["SPDXID"] = imageId,
            ["versionInfo"] = subject.Digest,
            ["downloadLocation"] = "NOASSERTION",
            ["filesAnalyzed"] = false,
            ["licenseConcluded"] = "NOASSERTION",
            ["licenseDeclared"] = "NOASSERTION",
            ["copyrightText"] = "NOASSERTION",
            ["primaryPackagePurpose"] = "CONTAINER",
            ["externalRefs"] = new JsonArray(Purl($"pkg:oci/{Uri.EscapeDataString(subject.Name[(subject.Name.LastIndexOf('/') + 1)..])}@{Uri.EscapeDataString(subject.Digest)}")),
        });
        var relationships = new JsonArray(new JsonObject
        {
            ["spdxElementId"] = "SPDXRef-DOCUMENT", ["relationshipType"] = "DESCRIBES", ["relatedSpdxElement"] = imageId,
        });
        var index = 0;
        foreach (var p in packages.DistinctBy(p => p.Purl))
        {
            var id = "SPDXRef-Package-" + (++index).ToString(CultureInfo.InvariantCulture);
            spdxPackages.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["SPDXID"] = id,
                ["versionInfo"] = p.Version,
                ["downloadLocation"] = "NOASSERTION",
                ["filesAnalyzed"] = false,
                ["licenseConcluded"] = "NOASSERTION",
                ["licenseDeclared"] = "NOASSERTION",
                ["copyrightText"] = "NOASSERTION",
                ["primaryPackagePurpose"] = "LIBRARY",
                ["sourceInfo"] = $"layer {p.Layer}, {p.Path}",
                ["externalRefs"] = new JsonArray(Purl(p.Purl)),
            });
            relationships.Add(new JsonObject { ["spdxElementId"] = imageId, ["relationshipType"] = "CONTAINS", ["relatedSpdxElement"] = id });
        }
        return new JsonObject
        {
            ["spdxVersion"] = "SPDX-2.3",
            ["dataLicense"] = "CC0-1.0",
            ["SPDXID"] = "SPDXRef-DOCUMENT",
            ["name"] = $"{subject.Name}@{subject.Digest}",
            ["documentNamespace"] = $"https://spdx.org/spdxdocs/{Uri.EscapeDataString(subject.Name)}-{Guid.NewGuid()}",
            ["creationInfo"] = new JsonObject { ["created"] = Timestamp(timestamp), ["creators"] = new JsonArray("Tool: " + subject.ToolName) },
            ["documentDescribes"] = new JsonArray(imageId),
            ["packages"] = spdxPackages,
            ["relationships"] = relationships,
        };
    }

    private static JsonObject Purl(string purl) =>
        new() { ["referenceCategory"] = "PACKAGE-MANAGER", ["referenceType"] = "purl", ["referenceLocator"] = purl };

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
