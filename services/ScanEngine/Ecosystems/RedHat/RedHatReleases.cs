using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// The releases of <c>rhel</c> from endoflife.date (products/rhel.md at commit 06362a04e8e4; docs/eol.md): Maintenance Support is the end of security support; Extended Life Cycle Support (ELS, paid) the extended end. UBI images say ID=rhel too.
/// </summary>
public static class RedHatReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("rhel", "rhel"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("rhel", "9", null, new DateOnly(2032, 5, 31), new DateOnly(2035, 5, 31)),
        new("rhel", "8", null, new DateOnly(2029, 5, 31), new DateOnly(2032, 5, 31)),
        new("rhel", "7", null, new DateOnly(2024, 6, 30), new DateOnly(2028, 6, 30)),
        new("rhel", "6", null, new DateOnly(2020, 11, 30), new DateOnly(2024, 6, 30)),
        new("rhel", "5", null, new DateOnly(2017, 3, 31), new DateOnly(2020, 11, 30)),
    ];
}
