using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Lifecycle;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>A clock the tests move by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Images, packages and findings shaped like a Debian scan's output.</summary>
public static class LifecycleFixtures
{
    public static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-01T10:00:00Z");
    public static readonly AwsAccount Options = new AwsAccount(new AwsOptions { AccountId = "123456789012", Region = "eu-central-1" });

    public static ImageRef Image(char digest, string repository = "team/app", string registry = "local") =>
        new(registry, repository, "sha256:" + new string(digest, 64), ["v1"]);

    public static VulnerabilityFinding Finding(string id, FindingSeverity severity, string package, string? fixedIn = "2.0-1", char layer = '1') =>
        new(id, [], severity, id + " title", "description", "https://security-tracker.debian.org/tracker/" + id, null, null, fixedIn,
            new PackageRecord(package, "1.0-1", "deb", "Debian:12", package + "-src", "1.0-1", "amd64", "var/lib/dpkg/status", "sha256:" + new string(layer, 64)));

    public static ImageScanned Scan(ImageRef image, DateTimeOffset at, params VulnerabilityFinding[] findings) =>
        new(Guid.NewGuid(), image, ScanType.ENHANCED, ScanTrigger.PUSH, new OperatingSystemInfo("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
            findings.Select(f => f.Package).DistinctBy(p => p.Name).ToList(), findings, "test", null, at);
}
