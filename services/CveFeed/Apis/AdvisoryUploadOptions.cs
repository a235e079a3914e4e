namespace ImageScanning.CveFeed.Apis;

/// <summary>
/// CveFeed:Uploads: how large an advisory upload (<c>POST /api/v1/advisories</c>) or exploit-feed upload may be, per format. Each is counted on the
/// bytes read, whatever the transfer encoding; an upload over its limit is answered 413 with the limit's name and nothing of it
/// is imported.
/// </summary>
public sealed class AdvisoryUploadOptions
{
    public const string Section = "CveFeed:Uploads";

    /// <summary>An OSV zip, spooled to a temporary file (deleted when the request ends): a whole osv.dev ecosystem all.zip fits.</summary>
    public long MaxZipBytes { get; set; } = 1L << 30;

    /// <summary>One OSV record as JSON, read into memory: the largest real records are well under 1 MiB.</summary>
    public long MaxJsonBytes { get; set; } = 16L << 20;

    /// <summary>A native feed document (Debian security tracker JSON, Alpine secdb), parsed as it streams.</summary>
    public long MaxNativeBytes { get; set; } = 512L << 20;

    /// <summary>
    /// An EPSS file (POST /api/v1/exploits/epss), counted as sent and again decompressed: the real daily file is about 2 MB gzip'd,
    /// 10 MB plain. Also the limit of a scheduled or air-gapped EPSS file's decompressed content.
    /// </summary>
    public long MaxEpssBytes { get; set; } = 128L << 20;

    /// <summary>A KEV catalogue (POST /api/v1/exploits/kev), as sent and decompressed: the real one is about 1.5 MB.</summary>
    public long MaxKevBytes { get; set; } = 64L << 20;

    public void Validate()
    {
        if (MaxZipBytes <= 0 || MaxJsonBytes <= 0 || MaxNativeBytes <= 0 || MaxEpssBytes <= 0 || MaxKevBytes <= 0)
            throw new InvalidOperationException($"{Section}: MaxZipBytes, MaxJsonBytes, MaxNativeBytes, MaxEpssBytes and MaxKevBytes must be positive.");
    }
}
