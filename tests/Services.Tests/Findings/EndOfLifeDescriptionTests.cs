using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>
/// A complete scan of an end-of-life base image says so first in its description (ECR's imageScanStatus.description in
/// DescribeImageScanFindings and the findings API), in Trivy's words; it is no file "not read".
/// </summary>
public sealed class EndOfLifeDescriptionTests
{
    private static readonly ScanWarningRecord Buster = new("etc/os-release",
        "This OS version is no longer supported by the distribution: debian 10. The vulnerability detection may be insufficient because security updates are not provided");

    [Test]
    public void The_end_of_life_is_said_in_Trivys_words()
    {
        Assert.That(ImageScannedHandler.CompletedDescription([Buster]), Is.EqualTo("The scan was completed successfully. "
            + "This OS version is no longer supported by the distribution: debian 10. The vulnerability detection may be insufficient because security updates are not provided."));
    }

    [Test]
    public void Files_not_read_follow_it()
    {
        var description = ImageScannedHandler.CompletedDescription([new ScanWarningRecord("app/a.jar", "corrupt"), Buster]);
        Assert.That(description, Is.EqualTo("The scan was completed successfully. "
            + "This OS version is no longer supported by the distribution: debian 10. The vulnerability detection may be insufficient because security updates are not provided. "
            + "1 file was not read, so its packages may be missing: app/a.jar: corrupt."));
    }
}
