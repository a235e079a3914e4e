using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>
/// Maven's version order, as <c>org.apache.maven.artifact.versioning.ComparableVersion</c> (maven-artifact
/// 3.8) defines it, which is what OSV's "Maven" ecosystem uses:
/// <list type="bullet">
///   <item>the version is lower-cased and split on '.', '-' and every digit/letter transition; '-' and a
///     transition open a nested list, so "1-1" is [1, [1]] while "1.1" is [1, 1]; a word that ends the version
///     or is followed by digits also opens one, so "1.rc1" = "1-rc1" and "1.final" = "1-final";</item>
///   <item>numbers compare numerically; qualifiers compare as alpha &lt; beta &lt; milestone &lt; rc = cr &lt;
///     snapshot &lt; "" = ga = final = release &lt; sp &lt; any other word (other words among themselves
///     in ordinal order); "a1", "b1", "m1" mean alpha-1, beta-1, milestone-1;</item>
///   <item>trailing "null" items (0, release qualifiers, empty lists) are trimmed: 1.0.0 = 1 = 1-ga;</item>
///   <item>numbers sort after lists, lists after qualifiers: 1-sp &lt; 1-1 &lt; 1.1.</item>
/// </list>
/// Never throws: any string is a version (null sorts first). Equal versions compare 0, so it is a total preorder.
/// </summary>
public sealed class MavenVersionComparer : IVersionComparer
{
    public static readonly MavenVersionComparer Instance = new();

    public string Scheme => "maven";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        return Math.Sign(Parse(x).CompareTo(Parse(y)));
    }

    private abstract class Item
    {
        public abstract bool IsNull { get; }

        /// <summary>Compares with another item, or with "nothing" (the other version ran out) when other is null.</summary>
        public abstract int CompareTo(Item? other);
    }

    /// <summary>
    /// Maven keeps up to 9 digits in an int, up to 18 in a long, more in a BigInteger, and orders the three kinds
    /// before their values (after stripping leading zeros, but "000" stays three characters long).
    /// </summary>
    private sealed class NumberItem : Item
    {
        private readonly int kind;
        private readonly string digits; // canonical ASCII digits, no leading zero, "0" for zero

        public NumberItem(string text)
        {
            var start = 0;
            while (start < text.Length && text[start] == '0') start++;
            var stripped = start == text.Length ? text : text[start..];
            kind = stripped.Length <= 9 ? 0 : stripped.Length <= 18 ? 1 : 2;
            var ascii = new char[stripped.Length];
            for (var i = 0; i < stripped.Length; i++) ascii[i] = (char)('0' + (int)char.GetNumericValue(stripped[i]));
            var canonical = new string(ascii).TrimStart('0');
            digits = canonical.Length == 0 ? "0" : canonical;
        }

        public override bool IsNull => digits == "0";

        public override int CompareTo(Item? other) => other switch
        {
            null => IsNull ? 0 : 1,
            NumberItem number when number.kind != kind => kind.CompareTo(number.kind),
            NumberItem number => digits.Length != number.digits.Length
                ? digits.Length.CompareTo(number.digits.Length)
                : string.CompareOrdinal(digits, number.digits),
            _ => 1, // 1.1 > 1-sp and 1.1 > 1-1
        };
    }

    private sealed class StringItem : Item
    {
        private static readonly string[] Qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
        private static readonly string ReleaseIndex = Array.IndexOf(Qualifiers, "").ToString();

        private readonly string comparable;

        public StringItem(string value, bool followedByDigit)
        {
            if (followedByDigit && value.Length == 1)
                value = value[0] switch { 'a' => "alpha", 'b' => "beta", 'm' => "milestone", _ => value };
            value = value switch { "ga" or "final" or "release" => "", "cr" => "rc", _ => value };
            var index = Array.IndexOf(Qualifiers, value);
            // Unknown qualifiers become "7-word": after every known one, and ordinal among themselves, as Maven's strings.
            comparable = index >= 0 ? index.ToString() : $"{Qualifiers.Length}-{value}";
        }

        public override bool IsNull => string.CompareOrdinal(comparable, ReleaseIndex) == 0;

        public override int CompareTo(Item? other) => other switch
        {
            null => string.CompareOrdinal(comparable, ReleaseIndex),
            StringItem text => string.CompareOrdinal(comparable, text.comparable),
            _ => -1, // 1.any < 1.1 and 1-any < 1-1
        };
    }

    private sealed class ListItem : Item
    {
        public List<Item> Items { get; } = [];

        public override bool IsNull => Items.Count == 0;

        /// <summary>Drops trailing null items, looking past (non-null) nested lists as Maven does.</summary>
        public void Normalize()
        {
            for (var i = Items.Count - 1; i >= 0; i--)
            {
                var last = Items[i];
                if (last.IsNull) Items.RemoveAt(i);
                else if (last is not ListItem) break;
            }
        }

        public override int CompareTo(Item? other)
        {
            switch (other)
            {
                case null:
                    foreach (var item in Items)
                    {
                        var result = item.CompareTo(null);
                        if (result != 0) return result;
                    }
                    return 0;
                case NumberItem: return -1; // 1-1 < 1.0.x
                case StringItem: return 1;  // 1-1 > 1-sp
            }
            var right = ((ListItem)other).Items;
            for (var i = 0; i < Math.Max(Items.Count, right.Count); i++)
            {
                var l = i < Items.Count ? Items[i] : null;
                var r = i < right.Count ? right[i] : null;
                var result = l is null ? (r is null ? 0 : -r.CompareTo(null)) : l.CompareTo(r);
                if (result != 0) return result;
            }
            return 0;
        }
    }

    private static ListItem Parse(string version)
    {
        version = version.ToLowerInvariant();
        var root = new ListItem();
        var list = root;
        var stack = new Stack<ListItem>();
        stack.Push(list);
        var isDigit = false;
        var start = 0;

        void OpenList()
        {
            var next = new ListItem();
            list.Items.Add(next);
            list = next;
            stack.Push(list);
        }

        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (c is '.' or '-')
            {
                list.Items.Add(i == start ? new NumberItem("0") : ParseItem(isDigit, version[start..i]));
                start = i + 1;
                if (c == '-') OpenList();
            }
            else if (char.IsDigit(c))
            {
                if (!isDigit && i > start)
                {
                    // Maven 3.8 gives a word followed by digits its own list unless it opens one ("1.rc1" = "1-rc1").
                    if (list.Items.Count > 0) OpenList();
                    list.Items.Add(new StringItem(version[start..i], followedByDigit: true));
                    start = i;
                    OpenList();
                }
                isDigit = true;
            }
            else
            {
                if (isDigit && i > start)
                {
                    list.Items.Add(ParseItem(true, version[start..i]));
                    start = i;
                    OpenList();
                }
                isDigit = false;
            }
        }
        if (version.Length > start)
        {
            // Likewise a final word: "1.0.final" is [1, 0, [final]].
            if (!isDigit && list.Items.Count > 0) OpenList();
            list.Items.Add(ParseItem(isDigit, version[start..]));
        }

        while (stack.Count > 0) stack.Pop().Normalize();
        return root;
    }

    private static Item ParseItem(bool isDigit, string text) =>
        isDigit ? new NumberItem(text) : new StringItem(text, followedByDigit: false);
}
