using System.Buffers.Binary;
using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Go;

/// <summary>A module of a Go binary's build info: path, version ("v1.2.3", "(devel)") and checksum when stamped.</summary>
public sealed record GoModule(string Path, string Version, string? Sum);

/// <summary>What <c>go version -m</c> prints for a binary: toolchain version, main package path, main module and dependencies.</summary>
/// <param name="GoVersion">As stamped, e.g. "go1.19.8" or "go1.20.1 X:boringcrypto".</param>
/// <param name="MainPackage">The "path" line; empty for binaries built without module info.</param>
/// <param name="MainModule">The "mod" line; null for GOPATH builds (most Linux distributions' packages).</param>
/// <param name="Dependencies">The "dep" lines, each already replaced by its "=>" line when there is one.</param>
public sealed record GoBuildInfo(string GoVersion, string MainPackage, GoModule? MainModule, IReadOnlyList<GoModule> Dependencies)
{
    private static readonly byte[] Magic = [0xFF, .. Encoding.ASCII.GetBytes(" Go buildinf:")];
    private const int HeaderSize = 32;
    private const int Alignment = 16;
    private const int SearchBytes = 64 * 1024;     // Go's own reader looks no further into the data
    private const ulong MaxStringBytes = 20 << 20; // likewise, for the pointer format

    /// <summary>Whether an ELF file carries Go build info: the buildinf header (in .go.buildinfo or near the data start), or framed module info.</summary>
    public static bool IsGoBinary(ElfFile elf) => Locate(elf) is not null || GoModInfoScanner.HasModInfo(elf);

    /// <summary>Reads the build info of a Go ELF binary; null when it is not a Go binary or the info is unreadable.</summary>
    public static GoBuildInfo? TryRead(byte[] binary) => ElfFile.TryParse(binary) is { } elf ? TryRead(elf) : null;

    /// <summary>Reads the buildinf header's strings; without the header (some toolchains' builds), the framed module info.</summary>
    public static GoBuildInfo? TryRead(ElfFile elf)
    {
        if (Locate(elf) is not { } blob) return GoModInfoScanner.TryRead(elf);
        var pointerSize = blob[14];
        var flags = blob[15];
        string? version, modInfo;
        if ((flags & 2) != 0)
        {
            // Go 1.18+: the two strings follow the header inline, each prefixed by its length as a uvarint.
            ReadOnlySpan<byte> rest = blob.AsSpan(HeaderSize);
            if (!TryReadVarintString(ref rest, out version) || !TryReadVarintString(ref rest, out modInfo)) return null;
        }
        else
        {
            // Before 1.18: two pointers to Go string headers (data pointer, length) elsewhere in the binary.
            if (pointerSize is not (4 or 8)) return null;
            var bigEndian = flags != 0;
            version = ReadPointedString(elf, blob.AsSpan(16), pointerSize, bigEndian);
            modInfo = ReadPointedString(elf, blob.AsSpan(16 + pointerSize), pointerSize, bigEndian);
        }
        if (string.IsNullOrEmpty(version)) return null;
        return Parse(version, UnframeModInfo(modInfo ?? ""));
    }

    /// <summary>The 32-byte header and what follows, at the first 16-aligned magic of the data start.</summary>
    private static byte[]? Locate(ElfFile elf)
    {
        if (elf.GoDataStart() is not { } start) return null;
        var data = elf.ReadAt(start.Address, Math.Min(start.Size, SearchBytes));
        if (data is null) return null;
        var from = 0;
        while (from < data.Length)
        {
            var found = data.AsSpan(from).IndexOf(Magic);
            if (found < 0) return null;
            var at = from + found;
            if (data.Length - at < HeaderSize) return null;
            if (at % Alignment == 0) return data[at..];
            from = (at + Alignment - 1) & ~(Alignment - 1);
        }
        return null;
    }

    private static bool TryReadVarintString(ref ReadOnlySpan<byte> data, out string? text)
    {
        text = null;
        ulong length = 0;
        var shift = 0;
        var i = 0;
        while (true)
        {
            if (i >= data.Length || shift > 63) return false;
            var b = data[i++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        if (length > (ulong)(data.Length - i)) return false;
        text = Encoding.UTF8.GetString(data.Slice(i, (int)length));
        data = data[(i + (int)length)..];
        return true;
    }

    private static string? ReadPointedString(ElfFile elf, ReadOnlySpan<byte> pointer, int size, bool bigEndian)
    {
        if (pointer.Length < size) return null;
        var headerAddress = ReadPointer(pointer, size, bigEndian);
        var header = elf.ReadAt(headerAddress, (ulong)(2 * size));
        if (header is null || header.Length < 2 * size) return null;
        var dataAddress = ReadPointer(header, size, bigEndian);
        var length = ReadPointer(header.AsSpan(size), size, bigEndian);
        if (length == 0 || length > MaxStringBytes) return length == 0 ? "" : null;
        var bytes = elf.ReadAt(dataAddress, length);
        return bytes is null || (ulong)bytes.Length != length ? null : Encoding.UTF8.GetString(bytes);
    }

    private static ulong ReadPointer(ReadOnlySpan<byte> data, int size, bool bigEndian) => size == 8
        ? bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data) : BinaryPrimitives.ReadUInt64LittleEndian(data)
        : bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadUInt32LittleEndian(data);

    /// <summary>The module info is framed by 16-byte sentinels (cmd/go's infoStart and infoEnd); without them there is none.</summary>
    private static string UnframeModInfo(string modInfo) =>
        modInfo.Length >= 33 && modInfo[^17] == '\n' ? modInfo[16..^16] : "";

    /// <summary>Parses the tab-separated "path", "mod", "dep", "=>" lines (the "build" settings are not needed).</summary>
    public static GoBuildInfo Parse(string goVersion, string modInfo)
    {
        var mainPackage = "";
        GoModule? main = null;
        var dependencies = new List<GoModule>();
        var lastWasDependency = false;
        foreach (var line in modInfo.Split('\n'))
        {
            var fields = line.Split('\t');
            switch (fields[0])
            {
                case "path" when fields.Length >= 2:
                    mainPackage = fields[1];
                    break;
                case "mod" when fields.Length >= 3:
                    main = new GoModule(fields[1], fields[2], fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null);
                    lastWasDependency = false;
                    break;
                case "dep" when fields.Length >= 3:
                    dependencies.Add(new GoModule(fields[1], fields[2], fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null));
                    lastWasDependency = true;
                    break;
                case "=>" when fields.Length >= 2:
                    if (!lastWasDependency || dependencies.Count == 0) break;
                    // The replacement is the code that was built. One by a local directory has no version: it keeps
                    // the replaced module's path with "(devel)", since the directory's content is unknown.
                    var version = fields.Length > 2 ? fields[2] : "";
                    var isDirectory = version is "" or GoModuleVersions.Devel || fields[1].StartsWith('.') || fields[1].StartsWith('/');
                    dependencies[^1] = isDirectory
                        ? dependencies[^1] with { Version = GoModuleVersions.Devel, Sum = null }
                        : new GoModule(fields[1], version, fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null);
                    break;
            }
        }
        return new GoBuildInfo(goVersion.Trim(), mainPackage, main, dependencies);
    }
}

/// <summary>Go version spellings that name no release.</summary>
public static class GoModuleVersions
{
    /// <summary>What Go stamps for a module built from a working tree (and what a local replacement is reported as).</summary>
    public const string Devel = "(devel)";

    /// <summary>"go1.19.8" or "go1.20.1 X:boringcrypto" to "1.19.8"; null for a development toolchain ("devel go1.22-abc...").</summary>
    public static string? ToolchainVersion(string goVersion)
    {
        var version = goVersion.Trim();
        var space = version.IndexOf(' ');
        if (space >= 0) version = version[..space];
        return version.StartsWith("go", StringComparison.Ordinal) && version.Length > 2 && char.IsAsciiDigit(version[2]) ? version[2..] : null;
    }
}
