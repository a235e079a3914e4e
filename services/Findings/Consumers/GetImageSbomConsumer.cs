using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Sbom;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>The SBOM of an image's latest scanned inventory, with its open findings as CycloneDX vulnerabilities.</summary>
public sealed class GetImageSbomConsumer(IFindingLifecycleStore store, TimeProvider clock) : IConsumer<GetImageSbom>
{
    public async Task Consume(ConsumeContext<GetImageSbom> context)
    {
        var request = context.Message;
        var image = new ImageRef(request.Registry, request.Repository, request.Digest, []);
        var inventory = await store.GetInventoryAsync(FindingRecord.KeyOf(image), context.CancellationToken);
        if (inventory is null)
        {
            await context.RespondAsync(new ImageSbomResult(false, null));
            return;
        }
        var distribution = inventory.OperatingSystem is { } os ? new Distribution(os.Id, os.VersionId, null, os.PrettyName) : null;
        string PurlOf(PackageRecord p) => PackageUrl.For(new Package
        {
            Name = p.Name, Version = p.Version, Type = p.Type, SourceName = p.SourceName, SourceVersion = p.SourceVersion,
            Architecture = p.Architecture, FilePath = p.FilePath, LayerDigest = p.LayerDigest,
        }, distribution);
        var subject = new SbomSubject($"{request.Registry}/{request.Repository}", request.Digest, "imagescanning-platform");
        var components = inventory.Packages.Select(p => new SbomComponent(p.Name, p.Version, PurlOf(p), p.FilePath, p.LayerDigest)).ToList();
        var document = request.Format == SbomFormat.SPDX_2_3
            ? SbomWriter.Spdx(subject, components, clock.GetUtcNow())
            : SbomWriter.CycloneDx(subject, components, await OpenFindingsAsync(image, PurlOf, context.CancellationToken), clock.GetUtcNow(),
                request.Format == SbomFormat.CYCLONEDX_1_4 ? "1.4" : "1.5");
        await context.RespondAsync(new ImageSbomResult(true, document.ToJsonString()));
    }

    private async Task<IReadOnlyList<SbomVulnerability>> OpenFindingsAsync(ImageRef image, Func<PackageRecord, string> purlOf, CancellationToken ct)
    {
        var result = new List<SbomVulnerability>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(new ListFindings(
                new FindingFilter(Statuses: [FindingStatus.ACTIVE, FindingStatus.SUPPRESSED], Registry: image.Registry, Repository: image.Repository, ImageDigest: image.Digest),
                FindingSortField.VULNERABILITY_ID, SortOrder.ASC, 100, token), ct);
            result.AddRange(page.Findings.Select(f => new SbomVulnerability(f.Finding.VulnerabilityId, f.Finding.Aliases, f.Finding.Severity.ToString(),
                f.Finding.Title, f.Finding.SourceUrl, f.Finding.CvssScore, f.Finding.CvssVector, [purlOf(f.Finding.Package)])));
            token = page.NextToken;
        } while (token is not null);
        return result;
    }
}
