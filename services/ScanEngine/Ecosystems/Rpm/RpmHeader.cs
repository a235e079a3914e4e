using System.Buffers.Binary;
using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>One installed package as an rpm database header describes it.</summary>
/// <param name="Epoch">The EPOCH tag; null when the package has none (rpm then treats it as 0).</param>
/// <param name="SourceRpm">The SOURCERPM file name, e.g. "bash-4.4-19.6.1.src.rpm"; null for gpg-pubkey entries.</param>
public sealed record RpmHeader(
    string Name, int? Epoch, string Version, string Release, string? Architecture,
    string? SourceRpm, string? Vendor, string? ModularityLabel)
{
    /// <summary>"epoch:version-release" with the epoch only when the header has one, as rpm prints %{EVR}.</summary>
    public string Evr => Epoch is { } e ? $"{e}:{Version}-{Release}" : $"{Version}-{Release}";

    /// <summary>The source package name: the SRPM file name minus "-version-release.src.rpm".</summary>
    public string? SourceName => RpmHeaderParser.SourceNameOf(SourceRpm);

    /// <summary>
    /// The source package's "[epoch:]version-release", read from the SRPM file name (which may differ from the
    /// binary's: libreadline7 7.0 comes from bash-4.4); the epoch, which file names never carry, is the binary's.
    /// </summary>
    public string? SourceEvr => RpmHeaderParser.SourceVersionReleaseOf(SourceRpm) is { } vr
        ? (Epoch is { } e ? $"{e}:{vr}" : vr)
        : null;
}

/// <summary>
/// Reads an rpm header blob as the databases store it (no lead, no 8-byte magic): a big-endian count of
/// index entries and of data bytes, the 16-byte entries (tag, type, offset, count) and the data store.
/// Only the tags a scanner needs are decoded; everything is bounds-checked, so hostile bytes give an
/// <see cref="InvalidDataException"/> and never an out-of-range read.
/// </summary>
public static class RpmHeaderParser
{
    private const int TagName = 1000, TagVersion = 1001, TagRelease = 1002, TagEpoch = 1003;
    private const int TagVendor = 1011, TagArch = 1022, TagSourceRpm = 1044, TagModularityLabel = 5096;
    private const int TypeInt32 = 4, TypeString = 6, TypeStringArray = 8, TypeI18nString = 9;

    /// <summary>rpm refuses headers with more entries or data than this (rpm's hdrchk limits).</summary>
    private const int MaxIndexEntries = 0x0000ffff, MaxDataBytes = 0x0fffffff;

    public static RpmHeader Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8) throw new InvalidDataException($"rpm header of {blob.Length} bytes is too short.");
        var indexCount = BinaryPrimitives.ReadInt32BigEndian(blob);
        var dataLength = BinaryPrimitives.ReadInt32BigEndian(blob[4..]);
        if (indexCount is <= 0 or > MaxIndexEntries || dataLength is < 0 or > MaxDataBytes)
            throw new InvalidDataException($"rpm header declares {indexCount} entries and {dataLength} data bytes.");
        var dataStart = 8L + 16L * indexCount;
        if (dataStart + dataLength > blob.Length)
            throw new InvalidDataException($"rpm header needs {dataStart + dataLength} bytes, has {blob.Length}.");
        var index = blob[8..(int)dataStart];
        var data = blob.Slice((int)dataStart, dataLength);

        string? name = null, version = null, release = null, arch = null, source = null, vendor = null, modularity = null;
        int? epoch = null;
        for (var i = 0; i < indexCount; i++)
        {
            var entry = index.Slice(i * 16, 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            var type = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            var count = BinaryPrimitives.ReadInt32BigEndian(entry[12..]);
            switch (tag)
            {
                case TagName: name = ReadString(data, type, offset, tag); break;
                case TagVersion: version = ReadString(data, type, offset, tag); break;
                case TagRelease: release = ReadString(data, type, offset, tag); break;
                case TagArch: arch = ReadString(data, type, offset, tag); break;
                case TagSourceRpm: source = ReadString(data, type, offset, tag); break;
                case TagVendor: vendor = ReadString(data, type, offset, tag); break;
                case TagModularityLabel: modularity = ReadString(data, type, offset, tag); break;
                case TagEpoch:
                    if (type != TypeInt32 || count < 1 || offset < 0 || offset > data.Length - 4)
                        throw new InvalidDataException($"rpm header EPOCH entry is malformed (type {type}, offset {offset}).");
                    epoch = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
                    break;
            }
        }
        if (string.IsNullOrEmpty(name) || version is null || release is null)
            throw new InvalidDataException("rpm header has no NAME, VERSION or RELEASE.");
        return new RpmHeader(name, epoch, version, release, NullIfEmpty(arch), NullIfEmpty(source), NullIfEmpty(vendor), NullIfEmpty(modularity));
    }

    /// <summary>"gcc11-11.2.1+git610-1.3.9.src.rpm" → "gcc11": drop the suffix, then the release and the version.</summary>
    public static string? SourceNameOf(string? sourceRpm)
    {
        if (string.IsNullOrEmpty(sourceRpm)) return null;
        var s = sourceRpm;
        foreach (var suffix in (string[])[".src.rpm", ".nosrc.rpm"])
            if (s.EndsWith(suffix, StringComparison.Ordinal)) { s = s[..^suffix.Length]; break; }
        var releaseDash = s.LastIndexOf('-');
        if (releaseDash <= 0) return s;
        var versionDash = s.LastIndexOf('-', releaseDash - 1);
        return versionDash <= 0 ? s[..releaseDash] : s[..versionDash];
    }

    /// <summary>"gcc11-11.2.1+git610-1.3.9.src.rpm" → "11.2.1+git610-1.3.9"; null when the name has no version-release.</summary>
    public static string? SourceVersionReleaseOf(string? sourceRpm)
    {
        var name = SourceNameOf(sourceRpm);
        if (name is null) return null;
        var s = sourceRpm!;
        foreach (var suffix in (string[])[".src.rpm", ".nosrc.rpm"])
            if (s.EndsWith(suffix, StringComparison.Ordinal)) { s = s[..^suffix.Length]; break; }
        return s.Length > name.Length + 1 && s[name.Length] == '-' ? s[(name.Length + 1)..] : null;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>A NUL-terminated string (the first one of an array or i18n table).</summary>
    private static string ReadString(ReadOnlySpan<byte> data, int type, int offset, int tag)
    {
        if (type is not (TypeString or TypeStringArray or TypeI18nString))
            throw new InvalidDataException($"rpm header tag {tag} has type {type}, not a string.");
        if (offset < 0 || offset >= data.Length)
            throw new InvalidDataException($"rpm header tag {tag} points outside the data ({offset}).");
        var rest = data[offset..];
        var end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"rpm header tag {tag} string is not terminated.");
        return Encoding.UTF8.GetString(rest[..end]);
    }
}
