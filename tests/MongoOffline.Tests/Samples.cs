using System.Text.Json;
using ImageScanning.Contracts;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>Images, packages, findings and scans shaped like a Debian scan's output, at a fixed time.</summary>
public static class Samples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly Guid ScanId = Guid.Parse("11111111-2222-3333-4444-555555555555");

    public static ImageRef Image(char digest = 'a', string repository = "team/app", string registry = "registry.example") =>
        new(registry, repository, "sha256:" + new string(digest, 64), ["v1", "latest"]);

    public static PackageRecord Package(string name, char layer = '1') =>
        new(name, "1.0-1", "deb", "Debian:12", name + "-src", "1.0-1", "amd64", "var/lib/dpkg/status", "sha256:" + new string(layer, 64));

    public static VulnerabilityFinding Finding(string id, FindingSeverity severity, string package, string? fixedIn = "2.0-1") =>
        new(id, [], severity, id + " title", "A description of " + id + " long enough to look like NVD's.",
            "https://security-tracker.debian.org/tracker/" + id, null, null, fixedIn, Package(package));

    public static ImageScanned Scan(ImageRef image, DateTimeOffset at, params VulnerabilityFinding[] findings) =>
        new(ScanId, image, ScanType.ENHANCED, ScanTrigger.PUSH, new OperatingSystemInfo("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
            findings.Select(f => f.Package).DistinctBy(p => p.Name).ToList(), findings, "test", null, at);

    /// <summary>Records compare by value only at the top: compare what they serialize to.</summary>
    public static string Json<T>(T value) => JsonSerializer.Serialize(value);
}

/// <summary>A clock that stands still.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
