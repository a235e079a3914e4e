using System.Text;

namespace ImageScanning.ScanEngine.Tests.Debian;

/// <summary>
/// Random Debian versions for comparing against dpkg: epochs, tildes, letters, '+', '.', ':' in the upstream
/// part, real-world suffixes (+b1, +deb12u1, ~deb11u2, ubuntu0.18.04.1, ~bpo11+1, +dfsg), leading zeros and
/// digit runs far longer than any integer type. Pairs are often a version and a small mutation of it, so
/// that the fine distinctions (end vs '~', '.' vs end, leading zeros, ...) are hit often.
/// Every version is one dpkg accepts (at worst with a warning, e.g. an upstream starting with a letter).
/// </summary>
internal sealed class DebianVersionGenerator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Suffixes =
    [
        "~rc1", "~rc2", "~beta", "~alpha1", "~~", "~", "+b1", "+b2", "+deb12u1", "+deb12u2", "+deb11u3", "~deb11u2",
        "~deb10u1", "ubuntu1", "ubuntu0.18.04.1", "build1", "~bpo11+1", "+dfsg", "+dfsg1", "+really1.0", ".0", "a",
        "+git20230101", "~git", "+1", ".1", "-1", "-0ubuntu1", "-1+b1", "-2~deb12u1",
    ];

    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public (string A, string B) NextPair()
    {
        var a = NextVersion();
        var roll = _random.NextDouble();
        if (roll < 0.05) return (a, a);
        if (roll < 0.70) return Swap(a, Mutate(a, 1 + (_random.NextDouble() < 0.3 ? 1 : 0)));
        return (a, NextVersion());
    }

    private (string, string) Swap(string a, string b) => _random.Next(2) == 0 ? (a, b) : (b, a);

    public string NextVersion()
    {
        var sb = new StringBuilder();
        var hasEpoch = _random.NextDouble() < 0.25;
        var hasRevision = _random.NextDouble() < 0.7;
        if (hasEpoch)
        {
            var epoch = _random.NextDouble() < 0.8 ? _random.Next(0, 4) : _random.Next(0, 100000);
            if (_random.NextDouble() < 0.05) sb.Append('0'); // leading zero: strtol reads it the same
            sb.Append(epoch).Append(':');
        }
        sb.Append(Part(upstream: true, allowColon: hasEpoch, allowHyphen: hasRevision));
        if (hasRevision) sb.Append('-').Append(Part(upstream: false, allowColon: false, allowHyphen: false));
        return sb.ToString();
    }

    private string Part(bool upstream, bool allowColon, bool allowHyphen)
    {
        var sb = new StringBuilder();
        // An upstream version should start with a digit; dpkg only warns otherwise, so do it sometimes.
        if (upstream && _random.NextDouble() < 0.03) sb.Append(Letters[_random.Next(Letters.Length)]);
        else sb.Append(Digits());
        var tokens = _random.Next(0, 6);
        for (var t = 0; t < tokens; t++)
        {
            var r = _random.NextDouble();
            if (r < 0.30) sb.Append('.').Append(Digits());
            else if (r < 0.45) sb.Append(Letters[_random.Next(Letters.Length)]);
            else if (r < 0.55) sb.Append(Digits());
            else if (r < 0.65) sb.Append('~').Append(_random.Next(3) == 0 ? "" : Word());
            else if (r < 0.75) sb.Append('+').Append(_random.Next(2) == 0 ? Digits() : Word());
            else if (r < 0.85) sb.Append(Word());
            else if (r < 0.90 && allowColon) sb.Append(':').Append(Digits());
            else if (r < 0.95 && allowHyphen) sb.Append('-').Append(Digits());
            else sb.Append(PlainSuffix());
        }
        return sb.ToString();
    }

    /// <summary>A suffix without '-' (those go only where a revision follows).</summary>
    private string PlainSuffix()
    {
        string s;
        do s = Suffixes[_random.Next(Suffixes.Length)]; while (s.Contains('-'));
        return s;
    }

    private string Word()
    {
        var n = _random.Next(1, 5);
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++) sb.Append(Letters[_random.Next(Letters.Length)]);
        return sb.ToString();
    }

    private string Digits()
    {
        var r = _random.NextDouble();
        var length = r < 0.85 ? _random.Next(1, 4) : r < 0.95 ? _random.Next(4, 12) : _random.Next(12, 60);
        var sb = new StringBuilder();
        if (_random.NextDouble() < 0.1) sb.Append('0', _random.Next(1, 4)); // leading zeros
        for (var i = 0; i < length; i++) sb.Append((char)('0' + _random.Next(10)));
        return sb.ToString();
    }

    /// <summary>A small change: a suffix, a digit bumped, leading zeros, an epoch, a separator swapped...</summary>
    private string Mutate(string v, int times)
    {
        for (var t = 0; t < times; t++) v = MutateOnce(v);
        return v;
    }

    private string MutateOnce(string v)
    {
        var hasRevision = v.Contains('-');
        var colon = v.IndexOf(':');
        var hasEpoch = colon >= 0 && v[..colon].All(char.IsAsciiDigit);
        switch (_random.Next(11))
        {
            case 0: // a suffix on the whole version (goes into the revision when there is one)
            {
                var s = Suffixes[_random.Next(Suffixes.Length)];
                if (s.StartsWith('-') && hasRevision) s = s[1..].Replace("-", "+");
                if (s.Contains('-') && !s.StartsWith('-')) s = s.Replace("-", ".");
                if (s.Contains(':')) return v;
                return v + s;
            }
            case 1: // a suffix on the upstream part
            {
                if (!hasRevision) return v + PlainSuffix();
                var h = v.LastIndexOf('-');
                return v[..h] + PlainSuffix() + v[h..];
            }
            case 2: // bump a digit
            case 3:
            {
                var positions = Enumerable.Range(0, v.Length).Where(i => char.IsAsciiDigit(v[i]) && (!hasEpoch || i > colon)).ToList();
                if (positions.Count == 0) return v;
                var p = positions[_random.Next(positions.Count)];
                var d = (v[p] - '0' + (_random.Next(2) == 0 ? 1 : 9)) % 10;
                return v[..p] + (char)('0' + d) + v[(p + 1)..];
            }
            case 4: // leading zeros before a digit run (often makes an equal version)
            {
                var starts = Enumerable.Range(0, v.Length)
                    .Where(i => char.IsAsciiDigit(v[i]) && (i == 0 || !char.IsAsciiDigit(v[i - 1])) && (!hasEpoch || i > colon)).ToList();
                if (starts.Count == 0) return v;
                var p = starts[_random.Next(starts.Count)];
                return v[..p] + new string('0', _random.Next(1, 3)) + v[p..];
            }
            case 5: // add, change or drop the epoch
            {
                if (hasEpoch)
                    return _random.Next(2) == 0 ? v[(colon + 1)..] : (_random.Next(0, 3)) + v[colon..];
                return v.Contains(':') ? v : _random.Next(0, 3) + ":" + v;
            }
            case 6: // swap one separator for another
            {
                var seps = Enumerable.Range(0, v.Length).Where(i => v[i] is '.' or '+' or '~').ToList();
                if (seps.Count == 0) return v;
                var p = seps[_random.Next(seps.Count)];
                return v[..p] + ".+~"[_random.Next(3)] + v[(p + 1)..];
            }
            case 7: // drop the last character (not leaving a dangling '-' or ':')
            {
                if (v.Length < 2) return v;
                var cut = v[..^1];
                return cut.EndsWith('-') || cut.EndsWith(':') ? v : cut;
            }
            case 8: // change the case of a letter
            {
                var letters = Enumerable.Range(0, v.Length).Where(i => char.IsAsciiLetter(v[i])).ToList();
                if (letters.Count == 0) return v + "a";
                var p = letters[_random.Next(letters.Count)];
                var c = char.IsAsciiLetterLower(v[p]) ? char.ToUpperInvariant(v[p]) : char.ToLowerInvariant(v[p]);
                return v[..p] + c + v[(p + 1)..];
            }
            case 9: // add or drop a revision
            {
                if (hasRevision) return v[..v.LastIndexOf('-')];
                return v + "-" + (_random.Next(3) == 0 ? "0" : Digits());
            }
            default: // a long digit run somewhere at the end
                return v + (_random.Next(2) == 0 ? "." : "") + new string('9', _random.Next(18, 40));
        }
    }
}
