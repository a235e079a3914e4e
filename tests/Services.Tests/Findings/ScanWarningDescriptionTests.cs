using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>
/// A complete scan that did not read some files says so in its description (ECR's imageScanStatus.description, the findings
/// API): the user sees that packages may be missing, never a silent "nothing found".
/// </summary>
public sealed class ScanWarningDescriptionTests
{
    [Test]
    public void Without_warnings_the_description_is_ECRs()
    {
        Assert.That(ImageScannedHandler.CompletedDescription(null), Is.EqualTo("The scan was completed successfully."));
        Assert.That(ImageScannedHandler.CompletedDescription([]), Is.EqualTo("The scan was completed successfully."));
    }

    [Test]
    public void Each_file_not_read_is_named_with_its_reason()
    {
        var description = ImageScannedHandler.CompletedDescription([
            new ScanWarningRecord("app/lib/bomb.jar!/META-INF/MANIFEST.MF", "only the first 1048576 of its 1073741824 bytes were read"),
        ]);
        Assert.That(description, Is.EqualTo("The scan was completed successfully. 1 file was not read, so its packages may be missing: "
            + "app/lib/bomb.jar!/META-INF/MANIFEST.MF: only the first 1048576 of its 1073741824 bytes were read."));
    }

    [Test]
    public void Past_five_the_rest_are_counted()
    {
        var warnings = Enumerable.Range(1, 8).Select(i => new ScanWarningRecord($"app/{i}.jar", "corrupt")).ToList();
        var description = ImageScannedHandler.CompletedDescription(warnings);
        Assert.That(description, Does.StartWith("The scan was completed successfully. 8 files were not read")
            .And.Contain("app/5.jar: corrupt").And.Not.Contain("app/6.jar").And.EndWith("; and 3 more."));
    }
}
