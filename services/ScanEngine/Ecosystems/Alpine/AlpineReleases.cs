using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>
/// The releases of <c>alpine</c> from endoflife.date (products/alpine-linux.md at commit 0118c3037fa9; docs/eol.md): the end of support of each branch.
/// </summary>
public static class AlpineReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("alpine-linux", "alpine"),
        new("alpine", "alpine"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("alpine", "3.23", null, new DateOnly(2027, 11, 1)),
        new("alpine", "3.22", null, new DateOnly(2027, 5, 1)),
        new("alpine", "3.21", null, new DateOnly(2026, 11, 1)),
        new("alpine", "3.20", null, new DateOnly(2026, 4, 1)),
        new("alpine", "3.19", null, new DateOnly(2025, 11, 1)),
        new("alpine", "3.18", null, new DateOnly(2025, 5, 9)),
        new("alpine", "3.17", null, new DateOnly(2024, 11, 22)),
        new("alpine", "3.16", null, new DateOnly(2024, 5, 23)),
        new("alpine", "3.15", null, new DateOnly(2023, 11, 1)),
        new("alpine", "3.14", null, new DateOnly(2023, 5, 1)),
        new("alpine", "3.13", null, new DateOnly(2022, 11, 1)),
        new("alpine", "3.12", null, new DateOnly(2022, 5, 1)),
        new("alpine", "3.11", null, new DateOnly(2021, 11, 1)),
        new("alpine", "3.10", null, new DateOnly(2021, 5, 1)),
        new("alpine", "3.9", null, new DateOnly(2020, 11, 1)),
        new("alpine", "3.8", null, new DateOnly(2020, 5, 1)),
        new("alpine", "3.7", null, new DateOnly(2019, 11, 1)),
        new("alpine", "3.6", null, new DateOnly(2019, 5, 1)),
        new("alpine", "3.5", null, new DateOnly(2018, 11, 1)),
        new("alpine", "3.4", null, new DateOnly(2018, 5, 1)),
        new("alpine", "3.3", null, new DateOnly(2017, 11, 1)),
        new("alpine", "3.2", null, new DateOnly(2017, 5, 1)),
        new("alpine", "3.1", null, new DateOnly(2016, 11, 1)),
        new("alpine", "3.0", null, new DateOnly(2016, 5, 1)),
    ];
}
