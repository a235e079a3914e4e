namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// Bounds on one layer, so a hostile or broken image (a decompression bomb, millions of entries,
/// a huge wanted file) fails with LayerTooLarge instead of exhausting memory or time.
/// </summary>
public sealed record LayerLimits
{
    /// <summary>The uncompressed tar stream of one layer, padding included.</summary>
    public long MaxUncompressedBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>One wanted regular file kept in memory. A wanted file over it fails the layer (it is never silently skipped).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>All wanted files kept from one layer together.</summary>
    public long MaxKeptBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// One file kept because a content sniffer recognised it (an executable). A larger one is skipped and counted in
    /// <see cref="LayerReadStats.SkippedSniffedFiles"/>, not an error: huge executables are common and rarely Go or Rust.
    /// </summary>
    public long MaxSniffedFileBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Tar entries of any type in one layer.</summary>
    public long MaxEntries { get; init; } = 2_000_000;

    /// <summary>
    /// The data of one tar metadata entry, which TarReader reads into memory whole: a PAX extended header ('x', 'g') or a GNU
    /// long name or link ('L', 'K'). Real ones hold a path or a few attributes; a larger one fails the layer before it is read.
    /// </summary>
    public long MaxHeaderBytes { get; init; } = 1024 * 1024;

    public static LayerLimits Default { get; } = new();
}

/// <summary>What reading one layer cost and what it skipped; for throughput metrics and diagnostics.</summary>
public sealed record LayerReadStats
{
    /// <summary>Bytes read from the blob stream (compressed, as transferred); 0 when served from the layer cache.</summary>
    public long CompressedBytes { get; init; }

    /// <summary>The layer's inventory came from the layer cache: nothing was fetched.</summary>
    public bool FromCache { get; init; }

    /// <summary>Bytes of the uncompressed tar stream.</summary>
    public long UncompressedBytes { get; init; }

    public long Entries { get; init; }
    public int KeptFiles { get; init; }
    public long KeptBytes { get; init; }

    /// <summary>Entries dropped because their name escapes the root ("../..") or contains NUL.</summary>
    public int UnsafeEntries { get; init; }

    /// <summary>Files a content sniffer wanted but that were over <see cref="LayerLimits.MaxSniffedFileBytes"/> or the kept-bytes budget.</summary>
    public int SkippedSniffedFiles { get; init; }

    /// <summary>Wanted hard links whose target is not a wanted file of the same layer (kept as links into the lower layers).</summary>
    public int UnresolvedHardLinks { get; init; }
}

/// <summary>The wanted content of one layer and what reading it took.</summary>
public sealed record LayerReadResult(Model.LayerFiles Files, LayerReadStats Stats);
