namespace ImageScanning.Cli.Cli;

public enum TargetKind { OciLayout, OciArchive, DockerArchive, Directory, Registry }

/// <summary>A TARGET argument: what to read the image from.</summary>
public sealed record ScanTarget(TargetKind Kind, string Location, string? Reference)
{
    public static ScanTarget Parse(string target)
    {
        if (target.StartsWith("oci-archive:", StringComparison.Ordinal)) return new(TargetKind.OciArchive, target["oci-archive:".Length..], null);
        if (target.StartsWith("docker-archive:", StringComparison.Ordinal)) return new(TargetKind.DockerArchive, target["docker-archive:".Length..], null);
        if (target.StartsWith("dir:", StringComparison.Ordinal)) return new(TargetKind.Directory, target["dir:".Length..], null);
        if (target.StartsWith("oci:", StringComparison.Ordinal))
        {
            // oci:DIR[:TAG] — a tag never contains '/', so a last ':' followed by no '/' separates it.
            var rest = target["oci:".Length..];
            var colon = rest.LastIndexOf(':');
            return colon > 0 && !rest[(colon + 1)..].Contains('/')
                ? new(TargetKind.OciLayout, rest[..colon], rest[(colon + 1)..])
                : new(TargetKind.OciLayout, rest, null);
        }
        if (target.StartsWith("docker://", StringComparison.Ordinal))
        {
            var rest = target["docker://".Length..];
            var slash = rest.IndexOf('/');
            if (slash <= 0) throw new UsageException($"'{target}' needs a registry host and a repository: docker://HOST/REPO[:TAG|@DIGEST].");
            var host = rest[..slash];
            var image = rest[(slash + 1)..];
            var at = image.IndexOf('@');
            string repository, reference;
            if (at > 0) (repository, reference) = (image[..at], image[(at + 1)..]);
            else
            {
                var colon = image.LastIndexOf(':');
                (repository, reference) = colon > 0 && !image[(colon + 1)..].Contains('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
            }
            return new(TargetKind.Registry, host + "/" + repository, reference);
        }
        throw new UsageException($"'{target}' is not a target: use oci:, oci-archive:, docker-archive:, dir: or docker://.");
    }

    public string RegistryHost => Location[..Location.IndexOf('/')];
    public string Repository => Location[(Location.IndexOf('/') + 1)..];
}
