using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>
/// The releases of <c>debian</c> from endoflife.date (products/debian.md at commit 007fc5ab9f15; docs/eol.md): Debian Security Support and then Debian LTS: the end of security support is LTS's end (the column <c>eoes</c>).
/// </summary>
public static class DebianReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("debian", "debian", ExtendedIsFreeSecuritySupport: true),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("debian", "12", "bookworm", new DateOnly(2028, 6, 10)),
        new("debian", "11", "bullseye", new DateOnly(2026, 8, 31)),
        new("debian", "10", "buster", new DateOnly(2024, 6, 30)),
        new("debian", "9", "stretch", new DateOnly(2022, 7, 1)),
        new("debian", "8", "jessie", new DateOnly(2020, 6, 30)),
        new("debian", "7", "wheezy", new DateOnly(2018, 5, 31)),
        new("debian", "6", "squeeze", new DateOnly(2016, 2, 29)),
    ];
}
