using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Oracle;

/// <summary>
/// The releases of <c>ol</c> from endoflife.date (products/oracle-linux.md at commit 066c62411653; docs/eol.md): Basic/Premier Support is the end of security support; Extended Support (paid) the extended end.
/// </summary>
public static class OracleLinuxReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("oracle-linux", "ol"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("ol", "9", null, new DateOnly(2032, 6, 30), new DateOnly(2034, 6, 30)),
        new("ol", "8", null, new DateOnly(2029, 7, 1), new DateOnly(2031, 7, 1)),
        new("ol", "7", null, new DateOnly(2024, 12, 1), new DateOnly(2026, 6, 1)),
        new("ol", "6", null, new DateOnly(2021, 3, 1), new DateOnly(2024, 12, 1)),
    ];
}
