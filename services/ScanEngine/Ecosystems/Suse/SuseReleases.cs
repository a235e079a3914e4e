using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Suse;

/// <summary>
/// The releases of SUSE Linux Enterprise Server (General Support, then paid LTSS as the extended end) and openSUSE Leap, from endoflife.date (products/sles.md at commit 01af712da6dd, products/opensuse.md at commit 02ce42c26db5; docs/eol.md).
/// </summary>
public static class SuseReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("sles", "sles"),
        new("opensuse", "opensuse-leap"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("sles", "15.6", null, null),
        new("sles", "15.5", null, new DateOnly(2024, 12, 31), new DateOnly(2027, 12, 31)),
        new("sles", "15.4", null, new DateOnly(2023, 12, 31), new DateOnly(2026, 12, 31)),
        new("sles", "15.3", null, new DateOnly(2022, 12, 31), new DateOnly(2025, 12, 31)),
        new("sles", "15.2", null, new DateOnly(2021, 12, 31), new DateOnly(2024, 12, 31)),
        new("sles", "15.1", null, new DateOnly(2021, 1, 31), new DateOnly(2024, 1, 31)),
        new("sles", "12.5", null, new DateOnly(2024, 10, 31), new DateOnly(2027, 10, 31)),
        new("sles", "12.4", null, new DateOnly(2020, 6, 30), new DateOnly(2023, 6, 30)),
        new("sles", "12.3", null, new DateOnly(2019, 6, 30), new DateOnly(2022, 6, 30)),
        new("opensuse-leap", "16.0", null, new DateOnly(2027, 10, 31)),
        new("opensuse-leap", "15.6", null, new DateOnly(2026, 4, 30)),
        new("opensuse-leap", "15.5", null, new DateOnly(2024, 12, 31)),
        new("opensuse-leap", "15.4", null, new DateOnly(2023, 12, 7)),
        new("opensuse-leap", "15.3", null, new DateOnly(2022, 12, 31)),
        new("opensuse-leap", "15.2", null, new DateOnly(2022, 1, 4)),
        new("opensuse-leap", "15.1", null, new DateOnly(2021, 2, 2)),
        new("opensuse-leap", "15.0", null, new DateOnly(2019, 12, 3)),
        new("opensuse-leap", "42.3", null, new DateOnly(2019, 7, 1)),
    ];

    /// <summary>The rows of one os-release ID (openSUSE Leap and SLES are separate ecosystems).</summary>
    public static IReadOnlyList<DistributionRelease> Of(string distributionId) => All.Where(r => r.DistributionId == distributionId).ToList();

    public static IReadOnlyList<EndOfLifeProduct> ProductsOf(string distributionId) => Products.Where(p => p.DistributionId == distributionId).ToList();
}
