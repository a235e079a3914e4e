using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ubuntu;

/// <summary>
/// The releases of <c>ubuntu</c> from endoflife.date (products/ubuntu.md at commit 021ca13a8cdf; docs/eol.md): standard (Maintenance &amp; Security) support is the end of security support; Expanded Security Maintenance (Ubuntu Pro) the extended end.
/// </summary>
public static class UbuntuReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("ubuntu", "ubuntu"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("ubuntu", "26.04", "resolute", new DateOnly(2031, 4, 30), new DateOnly(2036, 4, 30)),
        new("ubuntu", "25.10", "questing", new DateOnly(2026, 7, 1)),
        new("ubuntu", "25.04", "plucky", new DateOnly(2026, 1, 17)),
        new("ubuntu", "24.10", "oracular", new DateOnly(2025, 7, 10)),
        new("ubuntu", "24.04", "noble", new DateOnly(2029, 5, 31), new DateOnly(2036, 5, 31)),
        new("ubuntu", "23.10", "mantic", new DateOnly(2024, 7, 12)),
        new("ubuntu", "23.04", "lunar", new DateOnly(2024, 1, 20)),
        new("ubuntu", "22.10", "kinetic", new DateOnly(2023, 7, 20)),
        new("ubuntu", "22.04", "jammy", new DateOnly(2027, 4, 1), new DateOnly(2032, 4, 9)),
        new("ubuntu", "21.10", "impish", new DateOnly(2022, 7, 14)),
        new("ubuntu", "21.04", "hirsute", new DateOnly(2022, 1, 20)),
        new("ubuntu", "20.10", "groovy", new DateOnly(2021, 7, 22)),
        new("ubuntu", "20.04", "focal", new DateOnly(2025, 5, 31), new DateOnly(2030, 4, 2)),
        new("ubuntu", "19.10", "eoan", new DateOnly(2020, 7, 6)),
        new("ubuntu", "19.04", "disco", new DateOnly(2020, 1, 23)),
        new("ubuntu", "18.10", "cosmic", new DateOnly(2019, 7, 18)),
        new("ubuntu", "18.04", "bionic", new DateOnly(2023, 5, 31), new DateOnly(2028, 4, 1)),
        new("ubuntu", "16.04", "xenial", new DateOnly(2021, 4, 2), new DateOnly(2026, 4, 2)),
        new("ubuntu", "14.04", "trusty", new DateOnly(2019, 4, 2), new DateOnly(2024, 4, 2)),
    ];
}
