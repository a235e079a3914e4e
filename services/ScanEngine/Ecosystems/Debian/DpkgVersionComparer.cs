using System.Buffers;
using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>
/// Debian version ordering (Debian Policy 5.6.12), as dpkg's <c>verrevcmp</c> does it: epoch numerically,
/// then upstream version, then revision. Within each part, non-digit runs compare character by character
/// with '~' before everything (even the end of the string), then the end, then letters, then all other
/// characters; digit runs compare numerically, whatever their length.
/// <para>
/// Lenient like dpkg: surrounding blanks are ignored, an empty version equals "0", a version dpkg would
/// only warn about compares as dpkg compares it, and invalid input never throws (a malformed epoch is
/// taken as part of the upstream version; an epoch too large for dpkg still compares numerically).
/// Characters are compared as their UTF-8 bytes, as dpkg does. Null sorts before every version.
/// </para>
/// </summary>
public sealed class DpkgVersionComparer : IVersionComparer
{
    public static DpkgVersionComparer Instance { get; } = new();

    private DpkgVersionComparer() { }

    public string Scheme => "dpkg";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;

        byte[]? rentedX = null, rentedY = null;
        try
        {
            var bx = ToBytes(x, x.Length <= 256 ? stackalloc byte[x.Length * 3] : default, ref rentedX);
            var by = ToBytes(y, y.Length <= 256 ? stackalloc byte[y.Length * 3] : default, ref rentedY);
            return Compare(bx, by);
        }
        finally
        {
            if (rentedX is not null) ArrayPool<byte>.Shared.Return(rentedX);
            if (rentedY is not null) ArrayPool<byte>.Shared.Return(rentedY);
        }
    }

    /// <summary>Compares two versions given as UTF-8 (or any ASCII-compatible) bytes.</summary>
    public static int Compare(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        // dpkg works on C strings: a NUL ends the version.
        if (x.IndexOf((byte)0) is var nx and >= 0) x = x[..nx];
        if (y.IndexOf((byte)0) is var ny and >= 0) y = y[..ny];
        var a = Split(Trim(x));
        var b = Split(Trim(y));
        var c = CompareDigits(a.Epoch, b.Epoch);
        if (c != 0) return c;
        c = VerRevCmp(a.Upstream, b.Upstream);
        if (c != 0) return c;
        return VerRevCmp(a.Revision, b.Revision);
    }

    private static ReadOnlySpan<byte> ToBytes(string s, Span<byte> stack, ref byte[]? rented)
    {
        var ascii = true;
        foreach (var ch in s)
            if (ch > 0x7F) { ascii = false; break; }
        var max = ascii ? s.Length : Encoding.UTF8.GetMaxByteCount(s.Length);
        var buffer = stack.Length >= max ? stack : (rented = ArrayPool<byte>.Shared.Rent(max));
        var n = Encoding.UTF8.GetBytes(s, buffer);
        return buffer[..n];
    }

    private readonly ref struct Parts(ReadOnlySpan<byte> epoch, ReadOnlySpan<byte> upstream, ReadOnlySpan<byte> revision)
    {
        public readonly ReadOnlySpan<byte> Epoch = epoch;
        public readonly ReadOnlySpan<byte> Upstream = upstream;
        public readonly ReadOnlySpan<byte> Revision = revision;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsBlank(s[start])) start++;
        while (end > start && IsBlank(s[end - 1])) end--;
        return s[start..end];
    }

    private static bool IsBlank(byte c) => c is (byte)' ' or (byte)'\t';

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    private static bool IsAlpha(byte c) => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';

    /// <summary>
    /// [epoch:]upstream[-revision]. The epoch is what precedes the first ':' when that is a number (an
    /// optional '+' sign, as strtol accepts); the revision follows the last '-'.
    /// </summary>
    private static Parts Split(ReadOnlySpan<byte> s)
    {
        ReadOnlySpan<byte> epoch = default;
        var colon = s.IndexOf((byte)':');
        if (colon >= 0)
        {
            var candidate = s[..colon];
            if (candidate.Length > 0 && candidate[0] is (byte)'+' or (byte)'-') candidate = candidate[1..];
            if (candidate.Length > 0 && !candidate.ContainsAnyExcept("0123456789"u8))
            {
                // "-0:" is epoch 0 for dpkg; any other negative epoch is an error there: take it as 0.
                epoch = s[0] == (byte)'-' ? default : candidate;
                s = s[(colon + 1)..];
            }
        }
        var hyphen = s.LastIndexOf((byte)'-');
        return hyphen >= 0 ? new Parts(epoch, s[..hyphen], s[(hyphen + 1)..]) : new Parts(epoch, s, default);
    }

    /// <summary>Compares two runs of ASCII digits numerically, any length.</summary>
    private static int CompareDigits(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        a = a.TrimStart((byte)'0');
        b = b.TrimStart((byte)'0');
        if (a.Length != b.Length) return a.Length < b.Length ? -1 : 1;
        return Math.Sign(a.SequenceCompareTo(b));
    }

    /// <summary>dpkg's character weight: '~' &lt; end and digits &lt; letters &lt; bytes &gt;= 0x80 &lt; other ASCII.</summary>
    private static int Order(int c) => c switch
    {
        0 => 0,
        (byte)'~' => -1,
        _ when IsDigit((byte)c) => 0,
        _ when IsAlpha((byte)c) => c,
        // dpkg computes c + 256 on a (signed) char: bytes 0x80..0xFF land at 128..255, between letters
        // and ASCII punctuation.
        >= 0x80 => c,
        _ => c + 256,
    };

    private static int VerRevCmp(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !IsDigit(a[i])) || (j < b.Length && !IsDigit(b[j])))
            {
                var ac = Order(i < a.Length ? a[i] : 0);
                var bc = Order(j < b.Length ? b[j] : 0);
                if (ac != bc) return ac < bc ? -1 : 1;
                i++;
                j++;
            }

            var startA = i;
            while (i < a.Length && IsDigit(a[i])) i++;
            var startB = j;
            while (j < b.Length && IsDigit(b[j])) j++;
            var c = CompareDigits(a[startA..i], b[startB..j]);
            if (c != 0) return c;
        }
        return 0;
    }
}
