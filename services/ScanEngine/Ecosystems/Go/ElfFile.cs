using System.Buffers.Binary;
using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Go;

/// <summary>
/// Just enough of an ELF file (32- or 64-bit, either byte order) to find sections by name and read bytes at
/// virtual addresses. Every offset and size is checked against the file: a truncated or hostile file yields
/// null or empty results, never an exception.
/// </summary>
public sealed class ElfFile
{
    private const uint SectionNoBits = 8;   // SHT_NOBITS: occupies no file space (.bss)
    private const uint SegmentLoad = 1;     // PT_LOAD
    private const uint SegmentExecutable = 1, SegmentWritable = 2;
    private const int MaxHeaders = 65535;

    private readonly byte[] data;
    private readonly List<Section> sections = [];
    private readonly List<Segment> segments = [];

    public readonly record struct Section(string Name, uint Type, ulong Address, ulong Offset, ulong Size);
    public readonly record struct Segment(uint Type, uint Flags, ulong Offset, ulong Address, ulong FileSize, ulong MemorySize);

    public bool Is64Bit { get; }
    public bool IsBigEndian { get; }
    public IReadOnlyList<Section> Sections => sections;
    public IReadOnlyList<Segment> Segments => segments;

    /// <summary>Whether the bytes start with the ELF magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x7F && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';

    private ElfFile(byte[] data, bool is64Bit, bool isBigEndian)
    {
        this.data = data;
        Is64Bit = is64Bit;
        IsBigEndian = isBigEndian;
    }

    /// <summary>Parses the headers; null when this is not a well-formed ELF file.</summary>
    public static ElfFile? TryParse(byte[] data)
    {
        if (!HasMagic(data) || data.Length < 52) return null;
        var is64 = data[4] switch { 1 => false, 2 => true, _ => (bool?)null };
        var big = data[5] switch { 1 => false, 2 => true, _ => (bool?)null };
        if (is64 is null || big is null || (is64.Value && data.Length < 64)) return null;
        var elf = new ElfFile(data, is64.Value, big.Value);
        return elf.ReadHeaders() ? elf : null;
    }

    private bool ReadHeaders()
    {
        ulong programOffset = Is64Bit ? U64(0x20) : U32(0x1C);
        ulong sectionOffset = Is64Bit ? U64(0x28) : U32(0x20);
        var at = Is64Bit ? 0x36 : 0x2A;
        int programSize = U16(at), programCount = U16(at + 2), sectionSize = U16(at + 4), sectionCount = U16(at + 6), namesIndex = U16(at + 8);

        if (programCount > 0 && programCount < MaxHeaders && programSize >= (Is64Bit ? 56 : 32) && Fits(programOffset, (ulong)programSize * (ulong)programCount))
        {
            for (var i = 0; i < programCount; i++)
            {
                var p = (int)programOffset + i * programSize;
                segments.Add(Is64Bit
                    ? new Segment(U32(p), U32(p + 4), U64(p + 8), U64(p + 16), U64(p + 32), U64(p + 40))
                    : new Segment(U32(p), U32(p + 24), U32(p + 4), U32(p + 8), U32(p + 16), U32(p + 20)));
            }
        }

        // Stripped files may have no section headers; reading by address still works through the segments.
        if (sectionCount == 0 || sectionCount >= MaxHeaders || sectionSize < (Is64Bit ? 64 : 40) || !Fits(sectionOffset, (ulong)sectionSize * (ulong)sectionCount))
            return segments.Count > 0;
        var raw = new List<(uint Name, uint Type, ulong Address, ulong Offset, ulong Size)>(sectionCount);
        for (var i = 0; i < sectionCount; i++)
        {
            var s = (int)sectionOffset + i * sectionSize;
            raw.Add(Is64Bit
                ? (U32(s), U32(s + 4), U64(s + 16), U64(s + 24), U64(s + 32))
                : (U32(s), U32(s + 4), U32(s + 12), U32(s + 16), U32(s + 20)));
        }
        var names = namesIndex < raw.Count && raw[namesIndex].Type != SectionNoBits && Fits(raw[namesIndex].Offset, raw[namesIndex].Size)
            ? data.AsSpan((int)raw[namesIndex].Offset, (int)raw[namesIndex].Size) : [];
        foreach (var (name, type, address, offset, size) in raw)
            sections.Add(new Section(NameAt(names, name), type, address, offset, size));
        return true;
    }

    /// <summary>The file bytes of a named section; null when absent or not backed by the file.</summary>
    public byte[]? SectionData(string name)
    {
        foreach (var section in sections)
            if (section.Name == name)
                return section.Type == SectionNoBits || !Fits(section.Offset, section.Size) ? null : data.AsSpan((int)section.Offset, (int)section.Size).ToArray();
        return null;
    }

    public Section? FindSection(string name)
    {
        foreach (var section in sections)
            if (section.Name == name) return section;
        return null;
    }

    /// <summary>Up to <paramref name="length"/> bytes at a virtual address, from the loadable segment holding it; null when unmapped.</summary>
    public byte[]? ReadAt(ulong address, ulong length)
    {
        foreach (var segment in segments)
        {
            if (segment.Type != SegmentLoad || address < segment.Address || address - segment.Address >= segment.FileSize) continue;
            var within = address - segment.Address;
            var available = Math.Min(length, segment.FileSize - within);
            var offset = segment.Offset + within;
            return Fits(offset, available) ? data.AsSpan((int)offset, (int)available).ToArray() : null;
        }
        return null;
    }

    /// <summary>Where Go's linker puts the build info: the .go.buildinfo section, else the first writable, non-executable segment.</summary>
    public (ulong Address, ulong Size)? GoDataStart()
    {
        if (FindSection(".go.buildinfo") is { } section) return (section.Address, section.Size);
        foreach (var segment in segments)
            if (segment.Type == SegmentLoad && (segment.Flags & (SegmentExecutable | SegmentWritable)) == SegmentWritable)
                return (segment.Address, segment.MemorySize);
        return null;
    }

    private static readonly string[] GoDataSections = [".rodata", ".noptrdata", ".data", ".go.buildinfo"];

    /// <summary>
    /// The file ranges where Go keeps its read-only and initialised data: those sections when named, else the
    /// non-executable loadable segments (stripped of section headers), else the whole file.
    /// </summary>
    public IReadOnlyList<(int Offset, int Length)> GoDataRanges()
    {
        var ranges = new List<(int Offset, int Length)>();
        foreach (var section in sections)
            if (GoDataSections.Contains(section.Name) && section.Type != SectionNoBits && Fits(section.Offset, section.Size))
                ranges.Add(((int)section.Offset, (int)section.Size));
        if (ranges.Count == 0)
            foreach (var segment in segments)
                if (segment.Type == SegmentLoad && (segment.Flags & SegmentExecutable) == 0 && Fits(segment.Offset, segment.FileSize))
                    ranges.Add(((int)segment.Offset, (int)segment.FileSize));
        if (ranges.Count == 0) ranges.Add((0, data.Length));
        return ranges;
    }

    /// <summary>The file's bytes in a range returned by <see cref="GoDataRanges"/>.</summary>
    public ReadOnlySpan<byte> FileBytes(int offset, int length) => data.AsSpan(offset, length);

    private bool Fits(ulong offset, ulong length) => offset <= (ulong)data.Length && length <= (ulong)data.Length - offset;

    private static string NameAt(ReadOnlySpan<byte> names, uint offset)
    {
        if (offset >= names.Length) return "";
        var rest = names[(int)offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }

    private ushort U16(int at) => at + 2 > data.Length ? (ushort)0
        : IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(at));

    private uint U32(int at) => at + 4 > data.Length ? 0
        : IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at));

    private ulong U64(int at) => at + 8 > data.Length ? 0
        : IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at));
}
