using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.AmazonLinux;

/// <summary>
/// The releases of <c>amzn</c> from endoflife.date (products/amazon-linux.md at commit 003e48ed5c6c; docs/eol.md): Security Support. Amazon Linux AMI (1) says VERSION_ID="2018.03".
/// </summary>
public static class AmazonLinuxReleases
{
    public static IReadOnlyList<EndOfLifeProduct> Products { get; } =
    [
        new("amazon-linux", "amzn"),
    ];

    public static IReadOnlyList<DistributionRelease> All { get; } =
    [
        new("amzn", "2023", null, new DateOnly(2028, 3, 15)),
        new("amzn", "2", null, new DateOnly(2025, 6, 30)),
        new("amzn", "2018.03", null, new DateOnly(2023, 12, 31)),
        new("amzn", "2017.09", null, new DateOnly(2023, 12, 31)),
        new("amzn", "2017.03", null, new DateOnly(2023, 12, 31)),
        new("amzn", "2016.09", null, new DateOnly(2023, 12, 31)),
    ];
}
