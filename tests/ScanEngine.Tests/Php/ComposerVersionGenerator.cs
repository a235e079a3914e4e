namespace ImageScanning.ScanEngine.Tests.Php;

/// <summary>
/// Random Composer versions: an optional "v", 1 to 4 numbers (and date-like ones), stability suffixes written every way
/// Composer reads them (dev, alpha/a, beta/b, RC, patch/pl/p, stable; with ".", "-", "_" or nothing before; with a
/// number or none; with "-dev" after), "@stability" flags, build metadata, "x-dev" and "dev-" branches, aliases, and
/// some strings Composer rejects. Pairs are biased to share the release, so stabilities meet each other.
/// </summary>
internal sealed class ComposerVersionGenerator(int seed)
{
    private static readonly string[] Numbers = ["0", "1", "2", "3", "9", "10", "11", "99", "100", "01", "007", "12345"];
    private static readonly string[] Prefixes = ["", "", "", "v", "V"];
    private static readonly string[] Stabilities =
        ["dev", "alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable", "ALPHA", "Beta", "Rc", "PL"];
    private static readonly string[] Separators = ["", "-", "-", ".", "_"];
    private static readonly string[] StabilityNumbers = ["", "", "1", "2", "10", ".1", "-2", "3.4"];
    private static readonly string[] DevSuffixes = ["", "", "", "-dev", ".dev", "dev"];
    private static readonly string[] Odd =
    [
        "dev-main", "dev-master", "dev-feature/x", "master", "trunk", "1.x-dev", "2.1.x-dev", "1.0.*-dev", "dev-1.0",
        "2010.01.02", "2010-01-02", "20230131", "20230131.1.2", "2010.01.02.5", "1.0.0 as 1.0.x-dev", "1.0.x-dev as 1.0.0",
        "1.0.0-foo", "1.0.0.0.0", "a", "", "1.0.0-", "1.0.0+", "1.0.0-beta.alpha", "1.0.0-dev-dev", "123456.1.2", "1.0.0@beta",
    ];
    private static readonly string[] Builds = ["build.1", "20230101", "sha.5114f85", "1"];

    private readonly Random random = new(seed);

    public (string A, string B) NextPair()
    {
        if (random.Next(20) == 0) return (Pick(Odd), random.Next(2) == 0 ? Pick(Odd) : Render(Next()));
        var a = Next();
        var b = random.Next(4) switch
        {
            0 => Next(),
            1 => Mutate(a),
            2 => a with { Prefix = Pick(Prefixes), Build = random.Next(3) == 0 ? Pick(Builds) : null },
            _ => Mutate(Mutate(a)),
        };
        return (Render(a), Render(b));
    }

    private sealed record Version(string Prefix, string[] Release, string Separator, string? Stability, string StabilityNumber, string Dev, string? Build, string Flag);

    private Version Next()
    {
        var release = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(Numbers)).ToArray();
        var stability = random.Next(3) == 0 ? null : Pick(Stabilities);
        return new Version(Pick(Prefixes), release, Pick(Separators), stability, stability is null ? "" : Pick(StabilityNumbers),
            random.Next(4) == 0 ? Pick(DevSuffixes) : "", random.Next(8) == 0 ? Pick(Builds) : null, random.Next(12) == 0 ? "@dev" : "");
    }

    private Version Mutate(Version v)
    {
        switch (random.Next(6))
        {
            case 0:
                var release = (string[])v.Release.Clone();
                release[random.Next(release.Length)] = Pick(Numbers);
                return v with { Release = release };
            case 1:
                // "1.2" against "1.2.0.0": missing numbers are 0 once normalised.
                return v.Release.Length < 4 ? v with { Release = [.. v.Release, "0"] } : v with { Release = v.Release[..^1] };
            case 2:
                var stability = random.Next(4) == 0 ? null : Pick(Stabilities);
                return v with { Stability = stability, StabilityNumber = stability is null ? "" : Pick(StabilityNumbers) };
            case 3:
                return v with { StabilityNumber = v.Stability is null ? "" : Pick(StabilityNumbers), Separator = Pick(Separators) };
            case 4:
                return v with { Dev = Pick(DevSuffixes) };
            default:
                return v with { Prefix = Pick(Prefixes), Flag = random.Next(3) == 0 ? "@stable" : "" };
        }
    }

    private static string Render(Version v)
    {
        var text = v.Prefix + string.Join('.', v.Release);
        if (v.Stability is not null) text += v.Separator + v.Stability + v.StabilityNumber;
        text += v.Dev;
        if (v.Build is not null) text += "+" + v.Build;
        return text + v.Flag;
    }

    private string Pick(string[] items) => items[random.Next(items.Length)];
}
