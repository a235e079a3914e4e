using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

public class BasicScanQuotaTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Never_scanned_image_can_be_scanned()
    {
        Assert.That(BasicScanQuota.CanScan(null, Now), Is.True);
        Assert.That(BasicScanQuota.CheckManualScan(null, Now), Is.Null);
        Assert.That(BasicScanQuota.NextAllowedAt(null, Now), Is.Null);
    }

    [Test]
    public void A_scan_inside_24_hours_exhausts_the_quota_with_ecrs_error()
    {
        var last = Now - TimeSpan.FromHours(24) + TimeSpan.FromMilliseconds(1);
        Assert.That(BasicScanQuota.CanScan(last, Now), Is.False);
        Assert.That(BasicScanQuota.CheckManualScan(last, Now), Is.EqualTo(new ScanningError(
            "LimitExceededException", "The scan quota per image has been exceeded. Wait and try again.")));
        Assert.That(BasicScanQuota.NextAllowedAt(last, Now), Is.EqualTo(last + TimeSpan.FromHours(24)));
    }

    [Test]
    public void Exactly_24_hours_later_the_image_can_be_scanned_again()
    {
        Assert.That(BasicScanQuota.CanScan(Now - TimeSpan.FromHours(24), Now), Is.True);
        Assert.That(BasicScanQuota.CanScan(Now - TimeSpan.FromDays(3), Now), Is.True);
    }

    [Test]
    public void A_last_scan_in_the_future_counts_as_inside_the_window()
    {
        Assert.That(BasicScanQuota.CanScan(Now + TimeSpan.FromMinutes(5), Now), Is.False);
    }

    [Test]
    public void The_push_scan_counts_toward_the_quota()
    {
        // The push scan at 12:00 is recorded like any other basic scan, so a manual scan at 13:00 is refused.
        var pushScan = Now;
        Assert.That(BasicScanQuota.CheckManualScan(pushScan, Now.AddHours(1))?.ErrorType, Is.EqualTo("LimitExceededException"));
    }
}
