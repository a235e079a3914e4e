using System.Text;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>
/// Random rpm (epoch, version, release) triples for comparing against rpm: digit runs with leading zeros and
/// far beyond any integer type, letters of both cases, '~' and '^' anywhere, other separators ('.', '_', '+'),
/// real-world release shapes (el9_2, cm2, module+el8.4.0+570+c2eaf144, 150200.11.85.1). Pairs are often a
/// version and a small mutation of it, so that fine distinctions come up often. Versions never contain '-' or
/// ':' and are never empty, so the string form "[epoch:]version[-release]" splits back into the same triple.
/// </summary>
internal sealed class RpmVersionGenerator(int seed)
{
    private readonly Random _random = new(seed);
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static readonly string[] Separators = [".", ".", ".", "_", "+", "~", "^", "..", "%"];
    private static readonly string[] Releases = ["el9", "el9_2", "el8_8", "cm2", "azl3", "fc39", "mga9", "1.el7", "150200.11.85.1", "module+el8.4.0+570+c2eaf144", "git20230101"];

    public (Evr A, Evr B) NextPair()
    {
        var a = NextEvr();
        var roll = _random.NextDouble();
        if (roll < 0.05) return (a, a);
        if (roll < 0.70) return Swap(a, Mutate(a));
        return (a, NextEvr());
    }

    private (Evr, Evr) Swap(Evr a, Evr b) => _random.Next(2) == 0 ? (a, b) : (b, a);

    private Evr NextEvr() => new(
        _random.NextDouble() < 0.3 ? Digits() : null,
        Part(),
        _random.NextDouble() < 0.85 ? (_random.NextDouble() < 0.3 ? Part() + "." + Releases[_random.Next(Releases.Length)] : Part()) : null);

    private string Part()
    {
        var sb = new StringBuilder();
        if (_random.NextDouble() < 0.05) sb.Append(_random.Next(2) == 0 ? '~' : '^');
        sb.Append(_random.NextDouble() < 0.85 ? Digits() : Word());
        var tokens = _random.Next(0, 6);
        for (var t = 0; t < tokens; t++)
        {
            var r = _random.NextDouble();
            if (r < 0.45) sb.Append(Separators[_random.Next(Separators.Length)]).Append(_random.NextDouble() < 0.7 ? Digits() : Word());
            else if (r < 0.65) sb.Append(Word());
            else if (r < 0.80) sb.Append(Digits());
            else sb.Append(Separators[_random.Next(Separators.Length)]);
        }
        return sb.ToString();
    }

    private string Word()
    {
        var sb = new StringBuilder();
        for (var i = _random.Next(1, 5); i > 0; i--) sb.Append(Letters[_random.Next(Letters.Length)]);
        return sb.ToString();
    }

    private string Digits()
    {
        var r = _random.NextDouble();
        var length = r < 0.85 ? _random.Next(1, 4) : r < 0.95 ? _random.Next(4, 12) : _random.Next(12, 60);
        var sb = new StringBuilder();
        if (_random.NextDouble() < 0.1) sb.Append('0', _random.Next(1, 4));
        for (var i = 0; i < length; i++) sb.Append((char)('0' + _random.Next(10)));
        return sb.ToString();
    }

    private Evr Mutate(Evr evr)
    {
        switch (_random.Next(8))
        {
            case 0: return evr with { Epoch = evr.Epoch is null ? _random.Next(0, 3).ToString() : _random.Next(2) == 0 ? null : "0" + evr.Epoch };
            case 1: return evr with { Release = evr.Release is null ? Part() : _random.Next(3) == 0 ? null : MutateText(evr.Release) };
            case 2: return evr with { Version = evr.Version + Separators[_random.Next(Separators.Length)] + (_random.Next(3) == 0 ? "" : Digits()) };
            default: return evr with { Version = MutateText(evr.Version) };
        }
    }

    /// <summary>A digit bumped, leading zeros, a separator swapped, a tilde or caret added, a letter's case flipped, the end dropped.</summary>
    private string MutateText(string s)
    {
        var p = _random.Next(s.Length);
        switch (_random.Next(6))
        {
            case 0 when char.IsAsciiDigit(s[p]): return s[..p] + (char)('0' + (s[p] - '0' + 1) % 10) + s[(p + 1)..];
            case 1 when char.IsAsciiDigit(s[p]) && (p == 0 || !char.IsAsciiDigit(s[p - 1])): return s[..p] + "00" + s[p..];
            case 2 when !char.IsAsciiLetterOrDigit(s[p]): return s[..p] + Separators[_random.Next(Separators.Length)] + s[(p + 1)..];
            case 3: return s + (_random.Next(2) == 0 ? "~" : "^") + (_random.Next(2) == 0 ? "" : Word());
            case 4 when char.IsAsciiLetter(s[p]): return s[..p] + (char)(s[p] ^ 0x20) + s[(p + 1)..];
            case 5 when s.Length > 1: return s[..^1];
            default: return s + Word();
        }
    }
}
