namespace ImageScanning.Gateway.Inspector2.SbomExports;

/// <summary>
/// Section <c>Inspector2</c>: where CreateSbomExport's <c>s3Destination</c> buckets go. There is no S3 here: each bucket name is
/// mapped (<c>Inspector2:SbomExports:N:{BucketName, Directory | Url}</c>) to a local directory the files are written under, or to
/// a URL they are PUT to (through the platform's outbound address policy, <c>Outbound:AllowList</c>).
/// </summary>
public sealed class Inspector2Options
{
    public const string Section = "Inspector2";

    public List<SbomExportDestination> SbomExports { get; set; } = [];

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem()
    {
        foreach (var (d, i) in SbomExports.Select((d, i) => (d, i)))
        {
            if (string.IsNullOrWhiteSpace(d.BucketName)) return $"Inspector2:SbomExports:{i}:BucketName is required.";
            if (string.IsNullOrWhiteSpace(d.Directory) == string.IsNullOrWhiteSpace(d.Url))
                return $"Inspector2:SbomExports:{i} ({d.BucketName}) needs exactly one of Directory and Url.";
            if (!string.IsNullOrWhiteSpace(d.Url) && !(Uri.TryCreate(d.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                return $"Inspector2:SbomExports:{i}:Url must be an absolute http or https URL.";
        }
        return SbomExports.GroupBy(d => d.BucketName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? $"Inspector2:SbomExports names the bucket '{twice.Key}' twice."
            : null;
    }

    public SbomExportDestination? Find(string bucketName) => SbomExports.FirstOrDefault(d => d.BucketName == bucketName);
}

/// <summary>One bucket name and where its objects go: a directory (created when missing) or a base URL (an object key is appended).</summary>
public sealed class SbomExportDestination
{
    public string BucketName { get; set; } = "";
    public string? Directory { get; set; }
    public string? Url { get; set; }
}
