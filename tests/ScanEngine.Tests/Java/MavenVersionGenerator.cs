using System.Text;

namespace ImageScanning.ScanEngine.Tests.Java;

/// <summary>
/// Generates Maven-style versions that stress ComparableVersion: numbers (leading zeros, int/long/BigInteger
/// sizes), every known qualifier and alias in several cases, unknown words, '.', '-' and bare transitions,
/// empty components; pairs are either independent or a small edit of each other, so ties and near-ties are common.
/// </summary>
internal sealed class MavenVersionGenerator(int seed)
{
    private readonly Random random = new(seed);

    private static readonly string[] Numbers =
        ["0", "1", "2", "3", "9", "10", "11", "00", "01", "007", "2147483647", "2147483648", "0000000000",
         "123456789", "1234567890", "999999999999999999", "1000000000000000000", "12345678901234567890123", "000000000000000000001"];

    private static readonly string[] Words =
        ["alpha", "a", "beta", "b", "milestone", "m", "rc", "cr", "snapshot", "ga", "final", "release", "sp",
         "Alpha", "BETA", "RC", "CR", "SNAPSHOT", "GA", "Final", "RELEASE", "SP", "jre", "android", "foo", "zeta", "x", "c", "pr", "dev"];

    private static readonly string[] Separators = [".", ".", ".", "-", "-", ""];

    public string NextVersion()
    {
        var sb = new StringBuilder();
        var parts = random.Next(1, 7);
        for (var i = 0; i < parts; i++)
        {
            if (i > 0 || random.Next(20) == 0) sb.Append(Separators[random.Next(Separators.Length)]);
            if (random.Next(30) == 0) continue; // an empty component: "1..2", "1-.2"
            sb.Append(random.Next(3) == 0 ? Words[random.Next(Words.Length)] : Numbers[random.Next(Numbers.Length)]);
        }
        if (random.Next(25) == 0) sb.Append(random.Next(2) == 0 ? "." : "-");
        return sb.ToString();
    }

    public (string A, string B) NextPair()
    {
        var a = NextVersion();
        if (random.Next(2) == 0) return (a, NextVersion());
        return (a, Edit(a));
    }

    /// <summary>A nearby version: change, add or drop one component, or swap one separator.</summary>
    private string Edit(string version)
    {
        var b = new StringBuilder(version);
        switch (random.Next(5))
        {
            case 0: b.Append(Separators[random.Next(Separators.Length)]).Append(random.Next(2) == 0 ? "0" : Words[random.Next(Words.Length)]); break;
            case 1: b.Append(Separators[random.Next(Separators.Length)]).Append(Numbers[random.Next(Numbers.Length)]); break;
            case 2:
                var sep = version.IndexOfAny(['.', '-']);
                if (sep >= 0) b[sep] = version[sep] == '.' ? '-' : '.';
                break;
            case 3:
                var cut = version.LastIndexOfAny(['.', '-']);
                if (cut > 0) b.Length = cut;
                break;
            default:
                return version.ToUpperInvariant();
        }
        return b.ToString();
    }
}
