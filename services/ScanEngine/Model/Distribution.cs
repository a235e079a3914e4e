namespace ImageScanning.ScanEngine.Model;

/// <summary>The operating system of an image, read from os-release.</summary>
public sealed record Distribution(string Id, string VersionId, string? Codename, string? PrettyName)
{
    public override string ToString() => PrettyName ?? $"{Id} {VersionId}";
}
