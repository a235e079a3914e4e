namespace ImageScanning.ScanEngine.Tests.Versions;

/// <summary>
/// Random SemVer versions that node-semver's loose mode accepts, biased so that pairs often share a prefix
/// (same release, related prereleases) and so reach the interesting comparisons.
/// </summary>
internal sealed class SemVerGenerator(int seed)
{
    private static readonly string[] Numbers = ["0", "1", "2", "3", "9", "10", "11", "99", "100", "2023", "01", "007"];
    private static readonly string[] Identifiers =
        ["alpha", "beta", "rc", "0", "1", "2", "10", "11", "01", "a", "A", "b", "Z", "alpha1", "alpha10", "1a", "a1", "x-y", "-", "--", "0a", "RC", "beta-2", "20230101"];
    private static readonly string[] Builds = ["build", "1", "001", "exp.sha.5114f85", "20130313144700", "a-b.c"];
    private static readonly string[] Prefixes = ["", "", "", "", "v", "=", "v=", " v", "=v "];

    private readonly Random random = new(seed);

    public (string A, string B) NextPair()
    {
        var a = Next();
        var b = random.Next(4) switch
        {
            0 => Next(),
            1 => Mutate(a),
            2 => Reprefix(a),
            _ => Mutate(Mutate(a)),
        };
        return (Render(a), Render(b));
    }

    private sealed record Version(string Prefix, string[] Release, string[] Prerelease, bool Dash, string? Build);

    private Version Next()
    {
        var release = new[] { Pick(Numbers), Pick(Numbers), Pick(Numbers) };
        var prerelease = random.Next(3) == 0 ? [] : Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(Identifiers)).ToArray();
        var build = random.Next(4) == 0 ? string.Join('.', Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(Builds))) : null;
        return new Version(Pick(Prefixes), release, prerelease, Dash: true, build);
    }

    private Version Mutate(Version v)
    {
        switch (random.Next(6))
        {
            case 0:
                var release = (string[])v.Release.Clone();
                release[random.Next(3)] = Pick(Numbers);
                return v with { Release = release };
            case 1 when v.Prerelease.Length > 0:
                var pre = (string[])v.Prerelease.Clone();
                pre[random.Next(pre.Length)] = Pick(Identifiers);
                return v with { Prerelease = pre };
            case 2:
                return v with { Prerelease = [.. v.Prerelease, Pick(Identifiers)] };
            case 3 when v.Prerelease.Length > 0:
                return v with { Prerelease = v.Prerelease[..^1] };
            case 4:
                return v with { Build = v.Build is null ? Pick(Builds) : null };
            default:
                // Loose mode: the "-" may be left out when the prerelease starts with a letter.
                return v.Prerelease.Length > 0 && char.IsLetter(v.Prerelease[0][0]) ? v with { Dash = !v.Dash } : v with { Prefix = Pick(Prefixes) };
        }
    }

    private Version Reprefix(Version v) => v with { Prefix = Pick(Prefixes), Build = random.Next(2) == 0 ? null : Pick(Builds) };

    private static string Render(Version v)
    {
        var text = v.Prefix + string.Join('.', v.Release);
        if (v.Prerelease.Length > 0) text += (v.Dash || !char.IsLetter(v.Prerelease[0][0]) ? "-" : "") + string.Join('.', v.Prerelease);
        if (v.Build is not null) text += "+" + v.Build;
        return text;
    }

    private string Pick(string[] items) => items[random.Next(items.Length)];
}
