using System.IO.Compression;
using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>Where a Java artifact's coordinates came from.</summary>
public enum JavaArtifactSource
{
    /// <summary>A <c>pom.properties</c> Maven wrote into the archive: exact coordinates.</summary>
    PomProperties,

    /// <summary>
    /// No pom.properties: guessed from MANIFEST.MF (Implementation-Vendor-Id, Bundle-SymbolicName, versions) and the
    /// file name "artifact-1.2.3.jar". Lower confidence: the group id in particular may differ from Maven Central's.
    /// </summary>
    Manifest,
}

/// <summary>
/// One Maven artifact found in an archive. <paramref name="ArchivePath"/> is the image path of the outermost archive,
/// followed by "!/" and the entry path of each nested archive, as Trivy writes it:
/// "app/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar".
/// </summary>
public sealed record JavaArtifact(string GroupId, string ArtifactId, string Version, string ArchivePath, JavaArtifactSource Source)
{
    /// <summary>"groupId:artifactId", as OSV and GHSA name Maven packages.</summary>
    public string Name => $"{GroupId}:{ArtifactId}";
}

/// <summary>Why (part of) an archive gave no artifact.</summary>
public enum SkipKind
{
    /// <summary>Read fine, but nothing in it names Maven coordinates (an application's own war, a plain zip).</summary>
    Unidentified,

    /// <summary>Not a readable zip, or an entry that cannot be inflated.</summary>
    Corrupt,

    /// <summary>Over a <see cref="JavaArchiveLimits"/> bound (size, total bytes or nesting depth): not read.</summary>
    OverLimit,
}

/// <summary>An archive (or part of one) that gave no artifact, and why.</summary>
public sealed record SkippedArchive(string ArchivePath, string Reason, SkipKind Kind);

public sealed record JavaArchiveScan(IReadOnlyList<JavaArtifact> Artifacts, IReadOnlyList<SkippedArchive> Skipped);

/// <summary>
/// Bounds on reading one archive from the image: how deep archives nest, how large one nested archive may be once
/// inflated, and how many inflated bytes the whole archive (all nesting levels) may cost, so that a zip bomb or a
/// lying size header costs at most these bytes of memory.
/// </summary>
public sealed record JavaArchiveLimits(int MaxNestingDepth, long MaxNestedArchiveBytes, long MaxTotalInflatedBytes, int MaxMetadataBytes)
{
    public static readonly JavaArchiveLimits Default = new(
        MaxNestingDepth: 8, MaxNestedArchiveBytes: 64L << 20, MaxTotalInflatedBytes: 256L << 20, MaxMetadataBytes: 1 << 20);
}

/// <summary>
/// Reads the Maven artifacts of a jar/war/ear/jpi/hpi held in memory. Every entry named <c>pom.properties</c> (Maven
/// writes them to META-INF/maven/&lt;group&gt;/&lt;artifact&gt;/; shaded jars carry several; some tools put them
/// elsewhere, so any directory counts, as in Trivy and osv-scalibr) with groupId, artifactId and version is an
/// artifact; an archive without one falls back to its manifest and file name. Nested archives (WEB-INF/lib,
/// BOOT-INF/lib, an ear's lib, any entry with an archive extension) are read recursively within
/// <see cref="JavaArchiveLimits"/>. Corrupt or oversized archives are reported in <see cref="JavaArchiveScan.Skipped"/>;
/// reading never throws on bad input.
/// </summary>
public sealed class JavaArchiveReader(JavaArchiveLimits limits)
{
    public const string PomPropertiesFileName = "pom.properties";
    public const string ManifestPath = "META-INF/MANIFEST.MF";

    private static readonly string[] ArchiveExtensions = [".jar", ".war", ".ear", ".jpi", ".hpi"];

    public JavaArchiveReader() : this(JavaArchiveLimits.Default) { }

    /// <summary>Whether a file or entry name has one of the Java archive extensions (case-insensitive).</summary>
    public static bool IsArchiveName(string name)
    {
        if (name.Length < 5 || name[^4] != '.') return false;
        foreach (var extension in ArchiveExtensions)
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public JavaArchiveScan Read(string path, byte[] content)
    {
        var scan = new Scan();
        ReadArchive(scan, path, content, depth: 0);
        return new JavaArchiveScan(scan.Artifacts, scan.Skipped);
    }

    private sealed class Scan
    {
        public List<JavaArtifact> Artifacts { get; } = [];
        public List<SkippedArchive> Skipped { get; } = [];
        public long InflatedBytes { get; set; }
    }

    private void ReadArchive(Scan scan, string archivePath, byte[] content, int depth)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            var own = new List<JavaArtifact>();
            var nested = new List<ZipArchiveEntry>();
            ZipArchiveEntry? manifest = null;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName.Replace('\\', '/');
                if (name.EndsWith('/')) continue; // a directory
                var fileName = name[(name.LastIndexOf('/') + 1)..];
                if (fileName == PomPropertiesFileName) ReadPomProperties(scan, archivePath, entry, name, own);
                else if (name.Equals(ManifestPath, StringComparison.OrdinalIgnoreCase)) manifest = entry;
                else if (IsArchiveName(fileName)) nested.Add(entry);
            }
            if (own.Count == 0 && manifest is not null) ReadManifest(scan, archivePath, manifest, own);
            else if (own.Count == 0)
                scan.Skipped.Add(new SkippedArchive(archivePath, "no pom.properties and no MANIFEST.MF: no Maven coordinates", SkipKind.Unidentified));
            scan.Artifacts.AddRange(own.Distinct());

            foreach (var entry in nested) ReadNested(scan, archivePath, entry, depth + 1);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            scan.Skipped.Add(new SkippedArchive(archivePath, $"not a readable zip archive: {e.Message}", SkipKind.Corrupt));
        }
    }

    /// <summary>What ZipArchive throws on corrupt, truncated or unsupported (encrypted, odd method) input.</summary>
    private static bool IsUnreadable(Exception e) =>
        e is InvalidDataException or NotSupportedException or IOException or ArgumentException or InvalidOperationException or OverflowException;

    private void ReadNested(Scan scan, string parentPath, ZipArchiveEntry entry, int depth)
    {
        var nestedPath = $"{parentPath}!/{entry.FullName.Replace('\\', '/')}";
        if (depth > limits.MaxNestingDepth)
        {
            scan.Skipped.Add(new SkippedArchive(nestedPath, $"nested deeper than {limits.MaxNestingDepth} archives", SkipKind.OverLimit));
            return;
        }
        // The declared size is checked first (cheap), the inflated size while reading (headers can lie).
        var allowed = Math.Min(limits.MaxNestedArchiveBytes, limits.MaxTotalInflatedBytes - scan.InflatedBytes);
        if (entry.Length > allowed)
        {
            scan.Skipped.Add(new SkippedArchive(nestedPath, SizeReason(entry.Length, allowed, declared: true), SkipKind.OverLimit));
            return;
        }
        if (!TryInflate(scan, nestedPath, entry, allowed, out var content)) return;
        ReadArchive(scan, nestedPath, content, depth);
    }

    private string SizeReason(long size, long allowed, bool declared) =>
        allowed < limits.MaxNestedArchiveBytes
            ? $"{(declared ? "declared" : "inflated")} size {size} bytes exceeds the {allowed} bytes left of the {limits.MaxTotalInflatedBytes}-byte budget for the whole archive"
            : $"{(declared ? "declared" : "inflated")} size {size} bytes exceeds the {limits.MaxNestedArchiveBytes}-byte limit for a nested archive";

    /// <summary>Inflates an entry, reading at most <paramref name="allowed"/> bytes plus one to detect overflow.</summary>
    private bool TryInflate(Scan scan, string entryPath, ZipArchiveEntry entry, long allowed, out byte[] content)
    {
        content = [];
        if (allowed <= 0)
        {
            scan.Skipped.Add(new SkippedArchive(entryPath, SizeReason(entry.Length, 0, declared: true), SkipKind.OverLimit));
            return false;
        }
        try
        {
            using var stream = entry.Open();
            var buffer = new MemoryStream((int)Math.Min(entry.Length, allowed));
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, allowed + 1 - buffer.Length))) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > allowed)
                {
                    scan.InflatedBytes += buffer.Length;
                    scan.Skipped.Add(new SkippedArchive(entryPath, SizeReason(buffer.Length, allowed, declared: false) + " (more than its header declares)", SkipKind.OverLimit));
                    return false;
                }
            }
            scan.InflatedBytes += buffer.Length;
            content = buffer.ToArray();
            return true;
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            scan.Skipped.Add(new SkippedArchive(entryPath, $"entry cannot be inflated: {e.Message}", SkipKind.Corrupt));
            return false;
        }
    }

    /// <summary>Reads a metadata entry as text, cut at the metadata limit (the part that matters comes first).</summary>
    private string? ReadText(Scan scan, string archivePath, ZipArchiveEntry entry, Encoding encoding)
    {
        var allowed = Math.Min(limits.MaxMetadataBytes, limits.MaxTotalInflatedBytes - scan.InflatedBytes);
        if (allowed <= 0)
        {
            scan.Skipped.Add(new SkippedArchive($"{archivePath}!/{entry.FullName}",
                $"the {limits.MaxTotalInflatedBytes}-byte budget for the whole archive is spent", SkipKind.OverLimit));
            return null;
        }
        try
        {
            using var stream = entry.Open();
            var buffer = new byte[(int)Math.Max(0, Math.Min(allowed, Math.Max(entry.Length, 0)))];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
            scan.InflatedBytes += total;
            if (entry.Length > buffer.Length)
                scan.Skipped.Add(new SkippedArchive($"{archivePath}!/{entry.FullName}",
                    $"only the first {buffer.Length} of its {entry.Length} bytes were read (limit MaxMetadataBytes {limits.MaxMetadataBytes}, "
                    + $"or what was left of the {limits.MaxTotalInflatedBytes}-byte budget for the whole archive)", SkipKind.OverLimit));
            return encoding.GetString(buffer, 0, total);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            scan.Skipped.Add(new SkippedArchive($"{archivePath}!/{entry.FullName}", $"entry cannot be inflated: {e.Message}", SkipKind.Corrupt));
            return null;
        }
    }

    private void ReadPomProperties(Scan scan, string archivePath, ZipArchiveEntry entry, string name, List<JavaArtifact> found)
    {
        // Properties files are ISO-8859-1 by definition; Maven writes ASCII with \u escapes.
        if (ReadText(scan, archivePath, entry, Encoding.Latin1) is not { } text) return;
        var properties = JavaMetadata.ParseProperties(text);
        var groupId = properties.GetValueOrDefault("groupId")?.Trim();
        var artifactId = properties.GetValueOrDefault("artifactId")?.Trim();
        var version = properties.GetValueOrDefault("version")?.Trim();
        if (string.IsNullOrEmpty(groupId) || string.IsNullOrEmpty(artifactId) || string.IsNullOrEmpty(version))
        {
            scan.Skipped.Add(new SkippedArchive($"{archivePath}!/{name}", "pom.properties lacks groupId, artifactId or version", SkipKind.Unidentified));
            return;
        }
        found.Add(new JavaArtifact(groupId, artifactId, version, archivePath, JavaArtifactSource.PomProperties));
    }

    private void ReadManifest(Scan scan, string archivePath, ZipArchiveEntry entry, List<JavaArtifact> found)
    {
        if (ReadText(scan, archivePath, entry, Encoding.UTF8) is not { } text) return;
        var attributes = JavaMetadata.ParseManifestMainSection(text);
        var fileName = archivePath[(Math.Max(archivePath.LastIndexOf('/'), archivePath.LastIndexOf('!')) + 1)..];
        if (ManifestCoordinates.From(attributes, fileName) is { } coordinates)
            found.Add(new JavaArtifact(coordinates.GroupId, coordinates.ArtifactId, coordinates.Version, archivePath, JavaArtifactSource.Manifest));
        else
            scan.Skipped.Add(new SkippedArchive(archivePath, "no pom.properties, and MANIFEST.MF and the file name give no complete Maven coordinates", SkipKind.Unidentified));
    }
}
