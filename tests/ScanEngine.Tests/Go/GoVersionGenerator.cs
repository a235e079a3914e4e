namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// Random module versions that golang.org/x/mod/semver accepts, written with Go's "v": releases (numbers without
/// leading zeros, one of them past 64 bits), the "vMAJOR" and "vMAJOR.MINOR" shorthands, prereleases, build
/// metadata and "+incompatible", and the three pseudo-version forms the go command mints
/// (v0.0.0-TIME-HASH, vX.Y.(Z+1)-0.TIME-HASH, vX.Y.Z-PRE.0.TIME-HASH). Pairs are biased to share a prefix.
/// </summary>
internal sealed class GoVersionGenerator(int seed)
{
    private static readonly string[] Numbers = ["0", "1", "2", "3", "9", "10", "11", "99", "100", "2023", "18446744073709551616"];
    private static readonly string[] Identifiers =
        ["alpha", "beta", "rc", "pre", "0", "1", "2", "10", "11", "a", "A", "Z", "alpha1", "alpha10", "1a", "a1", "x-y", "-", "--", "0a", "RC", "beta-2", "20230101"];
    private static readonly string[] Builds = ["incompatible", "incompatible", "build.1", "001", "exp.sha.5114f85", "meta-data"];
    private static readonly string[] Times = ["20191109021931", "20230101120000", "20230101120001", "20230102000000", "20240614081500"];
    private static readonly string[] Hashes = ["abcdef123456", "daa7c04131f5", "e18ecbb05110", "1baeb1ce4c0b"];

    private readonly Random random = new(seed);

    public (string A, string B) NextPair()
    {
        var a = Next();
        var b = random.Next(4) switch
        {
            0 => Next(),
            1 => Mutate(a),
            2 => Rebuild(a),
            _ => Mutate(Mutate(a)),
        };
        return (Render(a), Render(b));
    }

    /// <summary><paramref name="Shown"/>: how many of the three numbers are written (1 or 2: a shorthand, no suffixes).</summary>
    private sealed record Version(string[] Release, int Shown, string[] Prerelease, string? Build);

    private Version Next()
    {
        var release = new[] { Pick(Numbers), Pick(Numbers), Pick(Numbers) };
        switch (random.Next(6))
        {
            case 0: // v0.0.0-TIME-HASH: no earlier tag
                return new Version(["0", "0", "0"], 3, [Pick(Times) + "-" + Pick(Hashes)], MaybeBuild());
            case 1: // vX.Y.(Z+1)-0.TIME-HASH: after release vX.Y.Z
                return new Version(release, 3, ["0", Pick(Times) + "-" + Pick(Hashes)], MaybeBuild());
            case 2: // vX.Y.Z-PRE.0.TIME-HASH: after prerelease vX.Y.Z-PRE
                return new Version(release, 3, [Pick(Identifiers), "0", Pick(Times) + "-" + Pick(Hashes)], MaybeBuild());
            case 3 when random.Next(2) == 0:
                // A shorthand and what it stands for: "v1" = "v1.0.0", "v1.2" = "v1.2.0".
                var shown = random.Next(1, 3);
                return new Version([release[0], shown == 2 ? release[1] : "0", "0"], shown, [], null);
            default:
                var prerelease = random.Next(3) == 0 ? [] : Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(Identifiers)).ToArray();
                return new Version(release, 3, prerelease, MaybeBuild());
        }
    }

    /// <summary>Other build metadata (Go ignores it) or none; a shorthand cannot carry it, so it is then written out.</summary>
    private Version Rebuild(Version v)
    {
        var build = random.Next(2) == 0 ? null : Pick(Builds);
        return v with { Build = build, Shown = v.Prerelease.Length > 0 || build is not null ? 3 : random.Next(1, 4) };
    }

    private string? MaybeBuild() => random.Next(4) == 0 ? Pick(Builds) : null;

    private Version Mutate(Version v)
    {
        switch (random.Next(6))
        {
            case 0:
                var release = (string[])v.Release.Clone();
                release[random.Next(v.Shown)] = Pick(Numbers);
                return v with { Release = release };
            case 1 when v.Prerelease.Length > 0:
                var pre = (string[])v.Prerelease.Clone();
                var i = random.Next(pre.Length);
                pre[i] = pre[i].Length > 14 && pre[i][14] == '-' ? Pick(Times) + "-" + Pick(Hashes) : Pick(Identifiers);
                return v with { Prerelease = pre };
            case 2:
                return v with { Prerelease = [.. v.Prerelease, Pick(Identifiers)], Shown = 3 };
            case 3 when v.Prerelease.Length > 0:
                return v with { Prerelease = v.Prerelease[..^1] };
            case 4:
                return v with { Build = v.Build is null ? Pick(Builds) : null, Shown = 3 };
            default:
                // "v1.2" against "v1.2.0": the shorthands are the ".0" forms.
                return v.Prerelease.Length == 0 && v.Build is null ? v with { Release = [v.Release[0], v.Release[1], "0"], Shown = random.Next(1, 4) } : v;
        }
    }

    private static string Render(Version v)
    {
        // A shorthand leaves out trailing numbers, which are then 0; a non-zero one cannot be left out.
        var shown = v.Shown;
        while (shown < 3 && v.Release[shown..].Any(n => n != "0")) shown++;
        var text = "v" + string.Join('.', v.Release[..shown]);
        if (v.Prerelease.Length > 0) text += "-" + string.Join('.', v.Prerelease);
        if (v.Build is not null) text += "+" + v.Build;
        return text;
    }

    private string Pick(string[] items) => items[random.Next(items.Length)];
}
