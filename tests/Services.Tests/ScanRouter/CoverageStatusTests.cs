using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Coverage;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>Inspector's coverage statuses and reasons from the catalog record and the registry's rules.</summary>
public sealed class CoverageStatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 12, 7);
    private const string Manifest = "application/vnd.oci.image.manifest.v1+json";

    private static readonly RegistryScanningConfiguration EnhancedApps = new(ScanType.ENHANCED,
        [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("apps/*", RepositoryFilterType.WILDCARD)])]);

    private static ImageRecord Image(string repository, ScanStatus? status, string mediaType = Manifest, string? description = null) =>
        new("local", repository, "sha256:" + new string('a', 64), ["v1"], mediaType, T0, null, status, description, null, null, T0, status is null ? null : T0);

    [TestCase("apps/shop", null, "ACTIVE", "PENDING_INITIAL_SCAN")]
    [TestCase("apps/shop", ScanStatus.IN_PROGRESS, "ACTIVE", "SCAN_IN_PROGRESS")]
    [TestCase("apps/shop", ScanStatus.COMPLETE, "ACTIVE", "SUCCESSFUL")]
    [TestCase("apps/shop", ScanStatus.SCAN_ELIGIBILITY_EXPIRED, "INACTIVE", "SCAN_ELIGIBILITY_EXPIRED")]
    [TestCase("apps/shop", ScanStatus.UNSUPPORTED_IMAGE, "INACTIVE", "UNSUPPORTED_OS")]
    [TestCase("apps/shop", ScanStatus.FAILED, "INACTIVE", "INTERNAL_ERROR")]
    [TestCase("tools/ci", null, "INACTIVE", "SCAN_FREQUENCY_MANUAL")]
    [TestCase("tools/ci", ScanStatus.COMPLETE, "INACTIVE", "SCAN_FREQUENCY_MANUAL")]
    public void An_image_gets_inspectors_status_and_reason(string repository, ScanStatus? status, string code, string reason)
    {
        var covered = CoverageStatus.ForImage(Image(repository, status), ScanningRules.Evaluate(EnhancedApps, repository), Today);
        Assert.That((covered.StatusCode, covered.Reason), Is.EqualTo((code, reason)));
        Assert.That(covered.LastScannedAt, status == ScanStatus.COMPLETE ? Is.EqualTo(T0) : Is.Null);
    }

    [Test]
    public void An_image_index_is_unsupported_and_an_enhanced_scan_on_push_image_is_scanned_once()
    {
        var onPush = new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]);
        var index = CoverageStatus.ForImage(Image("apps/shop", null, "application/vnd.oci.image.index.v1+json"), ScanningRules.Evaluate(EnhancedApps, "apps/shop"), Today);
        var once = CoverageStatus.ForImage(Image("apps/shop", ScanStatus.COMPLETE), ScanningRules.Evaluate(onPush, "apps/shop"), Today);

        Assert.That((index.StatusCode, index.Reason), Is.EqualTo(("INACTIVE", "UNSUPPORTED_MEDIA_TYPE")));
        Assert.That((once.StatusCode, once.Reason), Is.EqualTo(("INACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH")));
        var repository = CoverageStatus.ForRepository("local", ScanningRules.Evaluate(onPush, "apps/shop"));
        Assert.That((repository.StatusCode, repository.Reason), Is.EqualTo(("INACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH")));
    }

    [Test]
    public void A_repository_no_rule_selects_is_inactive_with_scan_frequency_manual()
    {
        var repository = CoverageStatus.ForRepository("local", ScanningRules.Evaluate(EnhancedApps, "tools/ci"));
        var selected = CoverageStatus.ForRepository("local", ScanningRules.Evaluate(EnhancedApps, "apps/shop"));

        Assert.That((repository.StatusCode, repository.Reason, repository.ScanFrequency), Is.EqualTo(("INACTIVE", "SCAN_FREQUENCY_MANUAL", ScanFrequency.MANUAL)));
        Assert.That((selected.StatusCode, selected.ScanFrequency), Is.EqualTo(("ACTIVE", ScanFrequency.CONTINUOUS_SCAN)));
    }

    [Test]
    public void A_selected_repository_without_images_is_inactive_with_no_resources_found()
    {
        var empty = CoverageStatus.ForRepository("local", ScanningRules.Evaluate(EnhancedApps, "apps/new"), hasImages: false);

        Assert.That((empty.StatusCode, empty.Reason), Is.EqualTo(("INACTIVE", "NO_RESOURCES_FOUND")));
    }

    [Test]
    public void An_image_of_an_end_of_life_os_release_is_marked()
    {
        var scanning = ScanningRules.Evaluate(EnhancedApps, "apps/shop");
        var buster = CoverageStatus.ForImage(Image("apps/shop", ScanStatus.COMPLETE) with { OsEndOfLife = new DateOnly(2024, 6, 30) }, scanning, Today);
        var bookworm = CoverageStatus.ForImage(Image("apps/shop", ScanStatus.COMPLETE) with { OsEndOfLife = new DateOnly(2028, 6, 10) }, scanning, Today);
        var unknown = CoverageStatus.ForImage(Image("apps/shop", ScanStatus.COMPLETE), scanning, Today);

        Assert.That((buster.OsEndOfLife, buster.OsEndOfLifeReached), Is.EqualTo(((DateOnly?)new DateOnly(2024, 6, 30), true)));
        Assert.That((bookworm.OsEndOfLife, bookworm.OsEndOfLifeReached), Is.EqualTo(((DateOnly?)new DateOnly(2028, 6, 10), false)));
        Assert.That((unknown.OsEndOfLife, unknown.OsEndOfLifeReached), Is.EqualTo(((DateOnly?)null, false)));
        Assert.That((buster.StatusCode, buster.Reason), Is.EqualTo(("ACTIVE", "SUCCESSFUL")), "it is still covered");
    }
}
