using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// The releases of the rpm distributions this ecosystem keys (CentOS, Rocky Linux, AlmaLinux, Fedora), from endoflife.date (products/centos.md at commit 0776bd7cf784, products/rocky-linux.md at commit 11ec7295ac4a, products/almalinux.md at commit 0f7d558fccd8, products/fedora.md at commit 02ce42c26db5; docs/eol.md).
/// </summary>
public static class RpmReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("centos", "centos"),
        new("rocky-linux", "rocky"),
        new("almalinux", "almalinux"),
        new("fedora", "fedora"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("centos", "8", null, new DateOnly(2021, 12, 31)),
        new("centos", "7", null, new DateOnly(2024, 6, 30)),
        new("centos", "6", null, new DateOnly(2020, 11, 30)),
        new("centos", "5", null, new DateOnly(2017, 3, 31)),
        new("rocky", "9", null, new DateOnly(2032, 5, 31)),
        new("rocky", "8", null, new DateOnly(2029, 5, 31)),
        new("almalinux", "10", null, new DateOnly(2035, 5, 31)),
        new("almalinux", "9", null, new DateOnly(2032, 5, 31)),
        new("almalinux", "8", null, new DateOnly(2029, 3, 1)),
        new("fedora", "43", null, new DateOnly(2026, 12, 9)),
        new("fedora", "42", null, new DateOnly(2026, 5, 13)),
        new("fedora", "41", null, new DateOnly(2025, 12, 15)),
        new("fedora", "40", null, new DateOnly(2025, 5, 13)),
        new("fedora", "39", null, new DateOnly(2024, 11, 26)),
        new("fedora", "38", null, new DateOnly(2024, 5, 21)),
        new("fedora", "37", null, new DateOnly(2023, 12, 5)),
        new("fedora", "36", null, new DateOnly(2023, 5, 16)),
        new("fedora", "35", null, new DateOnly(2022, 12, 13)),
        new("fedora", "34", null, new DateOnly(2022, 6, 7)),
        new("fedora", "33", null, new DateOnly(2021, 11, 30)),
        new("fedora", "32", null, new DateOnly(2021, 5, 25)),
        new("fedora", "31", null, new DateOnly(2020, 11, 24)),
        new("fedora", "30", null, new DateOnly(2020, 5, 26)),
    ];
}
