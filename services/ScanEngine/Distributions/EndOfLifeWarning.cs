using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>The scan's warning for a release past its end of security support, in Trivy's words.</summary>
public static class EndOfLifeWarning
{
    /// <summary>The os-release file the release was read from: the warning's path.</summary>
    public const string Path = DistributionDetector.EtcOsRelease;

    /// <summary>"debian 10.13": the ID and VERSION_ID, as Trivy names the OS.</summary>
    public static string Message(Distribution distribution) =>
        $"This OS version is no longer supported by the distribution: {distribution.Id} {distribution.VersionId}. "
        + "The vulnerability detection may be insufficient because security updates are not provided";

    /// <summary>Whether a scan's warning is this one (the others name files the scan did not read).</summary>
    public static bool Is(string path, string reason) =>
        path == Path && reason.StartsWith("This OS version is no longer supported by the distribution: ", StringComparison.Ordinal);

    /// <summary>The warning for <paramref name="distribution"/> on <paramref name="today"/>, or null when it is supported or unknown.</summary>
    public static ScanWarning? For(Distribution distribution, DistributionRelease? release, DateOnly today) =>
        release is not null && release.IsEndOfLifeOn(today) ? new ScanWarning(Path, Message(distribution)) : null;
}
