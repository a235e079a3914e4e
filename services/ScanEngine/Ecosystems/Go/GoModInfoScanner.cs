using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Go;

/// <summary>
/// Reads a Go binary's module info without the "\xff Go buildinf:" header, which some toolchains' binaries lack
/// (esbuild's Go 1.26 builds, for one): the runtime keeps the text framed by cmd/go's 16-byte sentinels, and
/// the toolchain version as the runtime.buildVersion string ("go1.26.5"). Only the data ranges of the ELF file
/// are searched, and no more than <see cref="MaxScanBytes"/> of them.
/// </summary>
public static class GoModInfoScanner
{
    /// <summary>How much of a binary's data is searched for the sentinels (and the version string).</summary>
    public const int MaxScanBytes = 64 << 20;

    /// <summary>The longest module info accepted between the sentinels (Go's reader allows 20 MiB of strings).</summary>
    public const int MaxModInfoBytes = 1 << 20;

    // cmd/go's infoStart and infoEnd (and runtime/debug's framing of modinfo).
    private static readonly byte[] Start = Convert.FromHexString("3077af0c9274080241e1c107e6d618e6");
    private static readonly byte[] End = Convert.FromHexString("f932433186182072008242104116d8f2");
    private static readonly byte[] VersionPrefix = "go1."u8.ToArray();

    /// <summary>Whether framed module info is present (what makes a binary without the header a Go binary).</summary>
    public static bool HasModInfo(ElfFile elf) => FindModInfo(elf) is not null;

    /// <summary>The build info from the framed module info; null when there is none.</summary>
    public static GoBuildInfo? TryRead(ElfFile elf) =>
        FindModInfo(elf) is { } modInfo ? GoBuildInfo.Parse(FindGoVersion(elf) ?? "", modInfo) : null;

    /// <summary>The text between the first start sentinel whose framed text is module info ("path\t..." up to "\n").</summary>
    private static string? FindModInfo(ElfFile elf)
    {
        foreach (var range in Bounded(elf))
        {
            // cmd/go itself (and tools using golang.org/x/... buildinfo readers) hold the sentinels as constants, so
            // a hit counts only when what follows reads as module info.
            for (var from = 0; from < range.Length;)
            {
                var found = range[from..].IndexOf(Start);
                if (found < 0) break;
                var text = range[(from + found + Start.Length)..];
                if (text.Length > MaxModInfoBytes + End.Length) text = text[..(MaxModInfoBytes + End.Length)];
                var end = text.IndexOf(End);
                if (end > 0 && text[end - 1] == '\n' && (text.StartsWith("path\t"u8) || text.StartsWith("mod\t"u8)))
                    return Encoding.UTF8.GetString(text[..end]);
                from += found + 1;
            }
        }
        return null;
    }

    /// <summary>
    /// The runtime.buildVersion string: "go1.N[.P][rcN|betaN]" standing alone (not inside a file name such as
    /// "x_go1.26.go"); one followed by NUL padding, as the linker lays the symbol out, is preferred.
    /// </summary>
    private static string? FindGoVersion(ElfFile elf)
    {
        string? loose = null;
        foreach (var range in Bounded(elf))
        {
            for (var from = 0; from < range.Length;)
            {
                var found = range[from..].IndexOf(VersionPrefix);
                if (found < 0) break;
                var at = from + found;
                from = at + 1;
                if (at > 0 && IsWordByte(range[at - 1])) continue;
                var length = VersionLength(range[at..]);
                if (length == 0) continue;
                var version = Encoding.ASCII.GetString(range.Slice(at, length));
                if (at + length < range.Length && range[at + length] == 0) return version;
                loose ??= version;
            }
        }
        return loose;
    }

    /// <summary>The length of "go1.N[.P][rcN|betaN]" at the start of the bytes; 0 when they are not such a version alone.</summary>
    private static int VersionLength(ReadOnlySpan<byte> text)
    {
        var i = VersionPrefix.Length;
        int Digits(ReadOnlySpan<byte> t, int start) { var j = start; while (j < t.Length && j - start < 4 && char.IsAsciiDigit((char)t[j])) j++; return j - start; }
        var minor = Digits(text, i);
        if (minor == 0) return 0;
        i += minor;
        if (i + 1 < text.Length && text[i] == '.' && Digits(text, i + 1) is > 0 and var patch) i += 1 + patch;
        foreach (var tag in new[] { "rc"u8.ToArray(), "beta"u8.ToArray() })
            if (text[i..].StartsWith(tag) && Digits(text, i + tag.Length) is > 0 and var number) { i += tag.Length + number; break; }
        return i < text.Length && (IsWordByte(text[i]) || text[i] == '-') ? 0 : i;
    }

    private static bool IsWordByte(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.' or (byte)'/';

    /// <summary>The data ranges, cut so that together they hold at most <see cref="MaxScanBytes"/>.</summary>
    private static RangeList Bounded(ElfFile elf) => new(elf);

    /// <summary>Spans cannot be yielded, so the ranges are walked by index.</summary>
    private readonly ref struct RangeList(ElfFile elf)
    {
        public Enumerator GetEnumerator() => new(elf);

        public ref struct Enumerator(ElfFile elf)
        {
            private readonly IReadOnlyList<(int Offset, int Length)> ranges = elf.GoDataRanges();
            private int index = -1;
            private int budget = MaxScanBytes;
            public ReadOnlySpan<byte> Current { get; private set; }

            public bool MoveNext()
            {
                while (++index < ranges.Count && budget > 0)
                {
                    var (offset, length) = ranges[index];
                    length = Math.Min(length, budget);
                    budget -= length;
                    if (length == 0) continue;
                    Current = elf.FileBytes(offset, length);
                    return true;
                }
                return false;
            }
        }
    }
}
