using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>
/// Alpine version ordering as apk-tools compares versions (<c>digit{.digit}...{letter}{_suffix{number}}...{-rN}</c>):
/// the version is read as a stream of tokens (numbers, one letter after a number, suffixes, the revision) and
/// compared token by token. Suffixes <c>_alpha</c> &lt; <c>_beta</c> &lt; <c>_pre</c> &lt; <c>_rc</c> sort before
/// the release, <c>_cvs</c> &lt; <c>_svn</c> &lt; <c>_git</c> &lt; <c>_hg</c> &lt; <c>_p</c> after it; <c>-rN</c>
/// revisions last. A number after a '.' compares as text when either side starts with a zero ("1.05" &gt; "1.005",
/// "1.02" &lt; "1.1"), numerically otherwise, as current apk-tools does.
/// <para>
/// Lenient and total: surrounding blanks are ignored, a version apk would call invalid compares the way apk compares
/// it (up to the first invalid token), numbers of any length compare numerically (apk's own int would overflow),
/// nothing throws, and null sorts before every version. apk-tools 3's "~commit-hash" token is not read: a '~'
/// ends the comparable part like any other invalid character (none of the corpus or apk-tools test versions has one).
/// </para>
/// </summary>
public sealed class ApkVersionComparer : IVersionComparer
{
    public static ApkVersionComparer Instance { get; } = new();

    private ApkVersionComparer() { }

    public string Scheme => "apk";

    // The order of the token kinds matters: it is the order in which they may follow each other, and a version that
    // continues with a higher kind where the other one continues with a lower kind is the lower version.
    private enum Kind
    {
        Invalid = -1,
        DigitAfterDot = 0,
        Digit = 1,
        Letter = 2,
        Suffix = 3,
        SuffixNumber = 4,
        RevisionNumber = 5,
        End = 6,
    }

    private static readonly string[] PreReleaseSuffixes = ["alpha", "beta", "pre", "rc"];
    private static readonly string[] PostReleaseSuffixes = ["cvs", "svn", "git", "hg", "p"];

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        return Compare(x.AsSpan(), y.AsSpan());
    }

    public static int Compare(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        var a = new Reader(Clean(x));
        var b = new Reader(Clean(y));
        var av = Value.Zero;
        var bv = Value.Zero;
        while (a.Next == b.Next && a.Next is not (Kind.End or Kind.Invalid) && av.CompareTo(bv) == 0)
        {
            av = a.Read();
            bv = b.Read();
        }

        var c = av.CompareTo(bv);
        if (c != 0) return c;
        if (a.Next == b.Next) return 0;

        // Same so far: the longer version is the greater one, unless what it continues with is a pre-release suffix
        // (or an unknown one), or a token kind that sorts before the other's (the end sorts after everything).
        var (kindA, kindB) = (a.Next, b.Next); // reading the suffix moves on: decide on the kinds seen here
        if (kindA == Kind.Suffix && a.Read().IsNegative) return -1;
        if (kindB == Kind.Suffix && b.Read().IsNegative) return 1;
        return kindA > kindB ? -1 : kindB > kindA ? 1 : 0;
    }

    /// <summary>apk sees C strings: a NUL ends the version. Surrounding blanks are not part of it.</summary>
    private static ReadOnlySpan<char> Clean(ReadOnlySpan<char> s)
    {
        var nul = s.IndexOf('\0');
        if (nul >= 0) s = s[..nul];
        return s.Trim();
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsLower(char c) => c is >= 'a' and <= 'z';

    /// <summary>
    /// A token's value: a small number (letters, suffixes) or a run of digits. A run after a dot that starts with a
    /// zero on either side compares as text (byte by byte, then the shorter first), other runs numerically.
    /// </summary>
    private readonly ref struct Value
    {
        private readonly long small;
        private readonly ReadOnlySpan<char> digits;
        private readonly bool isDigits;
        private readonly bool textual;

        private Value(long small, ReadOnlySpan<char> digits, bool isDigits, bool textual)
        {
            this.small = small;
            this.digits = digits;
            this.isDigits = isDigits;
            this.textual = textual;
        }

        public static Value Zero => default;

        public static Value Of(long small) => new(small, default, false, false);

        public static Value OfDigits(ReadOnlySpan<char> run, bool textual) => new(0, run, true, textual);

        public bool IsNegative => !isDigits && small < 0;

        public int CompareTo(Value other)
        {
            if (isDigits && other.isDigits)
            {
                if ((textual || other.textual) && (StartsWithZero(digits) || StartsWithZero(other.digits)))
                {
                    var c = digits.SequenceCompareTo(other.digits); // ordinal, then the shorter first
                    return Math.Sign(c);
                }
                var a = digits.TrimStart('0');
                var b = other.digits.TrimStart('0');
                if (a.Length != b.Length) return a.Length < b.Length ? -1 : 1;
                return Math.Sign(a.SequenceCompareTo(b));
            }
            return AsLong().CompareTo(other.AsLong());
        }

        private static bool StartsWithZero(ReadOnlySpan<char> s) => s.Length > 0 && s[0] == '0';

        // Small values are below 2^31; a run of more than 18 significant digits is above every one of them.
        private long AsLong()
        {
            if (!isDigits) return small;
            var significant = digits.TrimStart('0');
            return significant.Length > 18 ? long.MaxValue : significant.Length == 0 ? 0 : long.Parse(significant);
        }
    }

    /// <summary>Reads a version token by token; <see cref="Next"/> is the kind of the token <see cref="Read"/> reads.</summary>
    private ref struct Reader(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> rest = text;

        public Kind Next { get; private set; } = Kind.Digit;

        public Value Read()
        {
            if (rest.IsEmpty)
            {
                Next = Kind.End;
                return Value.Zero;
            }

            Value value;
            int length;
            switch (Next)
            {
                case Kind.DigitAfterDot or Kind.Digit or Kind.SuffixNumber or Kind.RevisionNumber:
                    length = 0;
                    while (length < rest.Length && IsDigit(rest[length])) length++;
                    value = Value.OfDigits(rest[..length], textual: Next == Kind.DigitAfterDot);
                    break;
                case Kind.Letter:
                    length = 1;
                    value = Value.Of(rest[0]);
                    break;
                case Kind.Suffix when SuffixValue(rest, out length) is { } suffix:
                    value = Value.Of(suffix);
                    break;
                default:
                    Next = Kind.Invalid;
                    return Value.Of(-1);
            }

            rest = rest[length..];
            if (rest.IsEmpty) Next = Kind.End;
            else Advance();
            return value;
        }

        /// <summary>Pre-release suffixes are negative (alpha = -4 ... rc = -1), post-release ones 0 (cvs) to 4 (p).</summary>
        private static int? SuffixValue(ReadOnlySpan<char> s, out int length)
        {
            for (var i = 0; i < PreReleaseSuffixes.Length; i++)
                if (s.StartsWith(PreReleaseSuffixes[i], StringComparison.Ordinal))
                {
                    length = PreReleaseSuffixes[i].Length;
                    return i - PreReleaseSuffixes.Length;
                }
            for (var i = 0; i < PostReleaseSuffixes.Length; i++)
                if (s.StartsWith(PostReleaseSuffixes[i], StringComparison.Ordinal))
                {
                    length = PostReleaseSuffixes[i].Length;
                    return i;
                }
            length = 0;
            return null;
        }

        /// <summary>Finds the kind of the next token, consuming its separator ('.', '_', "-r").</summary>
        private void Advance()
        {
            var current = Next;
            Kind next;
            var c = rest[0];
            if (current is Kind.Digit or Kind.DigitAfterDot && IsLower(c)) next = Kind.Letter;
            else if (current == Kind.Letter && IsDigit(c)) next = Kind.Digit;
            else if (current == Kind.Suffix && IsDigit(c)) next = Kind.SuffixNumber;
            else
            {
                next = c switch
                {
                    '.' => Kind.DigitAfterDot,
                    '_' => Kind.Suffix,
                    '-' when rest.Length > 1 && rest[1] == 'r' => Kind.RevisionNumber,
                    _ => Kind.Invalid,
                };
                rest = rest[(next == Kind.RevisionNumber ? 2 : 1)..];
            }

            // Tokens come in order; going back is only allowed for a dot after a number, another suffix after a
            // suffix number, and digits after a letter.
            if (next < current && !(next == Kind.DigitAfterDot && current == Kind.Digit
                                    || next == Kind.Suffix && current == Kind.SuffixNumber
                                    || next == Kind.Digit && current == Kind.Letter))
                next = Kind.Invalid;
            Next = next;
        }
    }
}
