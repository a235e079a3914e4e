using System.Text;

namespace ImageScanning.ScanEngine.Tests.Python;

/// <summary>
/// Random PEP 440 versions in all their spellings (epochs, pre/post/dev in every alias and separator, implicit
/// numbers, local labels, leading "v", upper case, leading zeros), drawn so that pairs are often close or
/// equal after normalisation: the second of a pair is usually a respelling or a small change of the first.
/// </summary>
internal sealed class Pep440VersionGenerator(int seed)
{
    private readonly Random random = new(seed);

    private string Pick(params string[] options) => options[random.Next(options.Length)];
    private bool Chance(int percent) => random.Next(100) < percent;

    private sealed record Parts(int Epoch, int[] Release, (int Kind, int Number)? Pre, int? Post, int? Dev, string[]? Local);

    private Parts NextParts() => new(
        Chance(10) ? random.Next(0, 3) : 0,
        Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(0, Chance(80) ? 3 : 11)).ToArray(),
        Chance(40) ? (random.Next(3), random.Next(0, 3)) : null,
        Chance(25) ? random.Next(0, 3) : null,
        Chance(25) ? random.Next(0, 3) : null,
        Chance(15) ? Enumerable.Range(0, random.Next(1, 4)).Select(_ => Chance(50) ? random.Next(0, 3).ToString() : Pick("abc", "ubuntu", "x", "Z9")).ToArray() : null);

    private Parts Mutate(Parts p) => random.Next(8) switch
    {
        0 => p with { Release = [.. p.Release, 0] },              // trailing zero: equal
        1 => p with { Release = p.Release.Select((n, i) => i == p.Release.Length - 1 ? n + 1 : n).ToArray() },
        2 => p with { Pre = p.Pre is null ? (random.Next(3), random.Next(3)) : null },
        3 => p with { Post = p.Post is null ? random.Next(3) : null },
        4 => p with { Dev = p.Dev is null ? random.Next(3) : null },
        5 => p with { Local = p.Local is null ? ["1"] : null },
        6 => p with { Epoch = p.Epoch + 1 },
        _ => p,                                                    // same version, likely spelled differently
    };

    private string Spell(Parts p)
    {
        var sb = new StringBuilder();
        if (Chance(5)) sb.Append(' ');
        if (Chance(10)) sb.Append(Pick("v", "V"));
        if (p.Epoch != 0 || Chance(5)) sb.Append(p.Epoch).Append('!');
        sb.Append(string.Join('.', p.Release.Select(n => Chance(8) ? "0" + n : n.ToString())));
        if (p.Pre is { } pre)
        {
            sb.Append(Pick("", ".", "-", "_"));
            sb.Append(pre.Kind switch { 0 => Pick("a", "alpha", "A", "ALPHA"), 1 => Pick("b", "beta", "B"), _ => Pick("rc", "c", "pre", "preview", "RC") });
            if (pre.Number != 0 || Chance(70)) sb.Append(Pick("", ".", "-", "_")).Append(pre.Number);
        }
        if (p.Post is { } post)
        {
            if (Chance(20)) sb.Append('-').Append(post);
            else
            {
                sb.Append(Pick("", ".", "-", "_")).Append(Pick("post", "rev", "r", "POST"));
                if (post != 0 || Chance(70)) sb.Append(Pick("", ".", "-", "_")).Append(post);
            }
        }
        if (p.Dev is { } dev)
        {
            sb.Append(Pick("", ".", "-", "_")).Append(Pick("dev", "DEV"));
            if (dev != 0 || Chance(70)) sb.Append(Pick("", ".", "-", "_")).Append(dev);
        }
        if (p.Local is { } local)
        {
            sb.Append('+').Append(local[0]);
            foreach (var part in local.Skip(1)) sb.Append(Pick(".", "-", "_")).Append(part);
        }
        if (Chance(5)) sb.Append('\t');
        return sb.ToString();
    }

    public (string A, string B) NextPair()
    {
        var first = NextParts();
        var second = Chance(70) ? Mutate(first) : NextParts();
        return (Spell(first), Spell(second));
    }
}
