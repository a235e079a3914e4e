namespace ImageScanning.ScanEngine.Tests.DotNet;

/// <summary>
/// Random versions that NuGet.Versioning's <c>NuGetVersion.TryParse</c> accepts: 1 to 4 release numbers (leading zeros
/// allowed there), dotted prerelease labels, numeric and alphanumeric, in mixed case (numeric labels without leading
/// zeros, as NuGet requires), build metadata, surrounding blanks. Pairs are biased to share a prefix, so they reach the
/// comparisons that matter: same release, labels that differ in one identifier, in case only, or in length.
/// </summary>
/// <remarks>
/// Labels NuGet reads as numbers differently from SemVer 2.0 and OSV (a sign, "-1"; more than int.MaxValue) are left
/// out here: the oracle test checks those separately, as the deliberate differences they are.
/// </remarks>
internal sealed class NuGetVersionGenerator(int seed)
{
    private static readonly string[] Numbers = ["0", "1", "2", "3", "9", "10", "11", "99", "100", "2023", "01", "007", "2147483647"];
    private static readonly string[] Labels =
    [
        "alpha", "Alpha", "ALPHA", "beta", "Beta", "rc", "RC", "preview", "Preview", "a", "A", "b", "z", "Z", "alpha1", "Alpha1", "alpha10",
        "1a", "a1", "x-y", "X-Y", "-", "--", "-a", "0a", "beta-2", "0", "1", "2", "10", "11", "99", "20230101", "2147483647", "ci",
    ];
    private static readonly string[] Builds = ["build", "1", "001", "sha.5114f85", "20130313144700", "a-b.c", "Git.ABC"];
    private static readonly string[] Blanks = ["", "", "", "", "", "", " "];

    private readonly Random random = new(seed);

    public (string A, string B) NextPair()
    {
        var a = Next();
        var b = random.Next(5) switch
        {
            0 => Next(),
            1 => Mutate(a),
            2 => Recase(a),
            3 => Mutate(Recase(a)),
            _ => Mutate(Mutate(a)),
        };
        return (Render(a), Render(b));
    }

    private sealed record Version(string[] Release, string[] Labels, string? Build, string Blank);

    private Version Next()
    {
        var release = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(Numbers)).ToArray();
        var labels = random.Next(3) == 0 ? [] : Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(Labels)).ToArray();
        var build = random.Next(4) == 0 ? string.Join('.', Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(Builds))) : null;
        return new Version(release, labels, build, Pick(Blanks));
    }

    private Version Mutate(Version v)
    {
        switch (random.Next(7))
        {
            case 0:
                var release = (string[])v.Release.Clone();
                release[random.Next(release.Length)] = Pick(Numbers);
                return v with { Release = release };
            case 1 when v.Release.Length < 4:
                // "1.2" against "1.2.0" and "1.2.0.0": missing numbers are 0.
                return v with { Release = [.. v.Release, random.Next(3) == 0 ? Pick(Numbers) : "0"] };
            case 2 when v.Release.Length > 1:
                return v with { Release = v.Release[..^1] };
            case 3 when v.Labels.Length > 0:
                var labels = (string[])v.Labels.Clone();
                labels[random.Next(labels.Length)] = Pick(Labels);
                return v with { Labels = labels };
            case 4:
                return v with { Labels = [.. v.Labels, Pick(Labels)] };
            case 5 when v.Labels.Length > 0:
                return v with { Labels = v.Labels[..^1] };
            default:
                return v with { Build = v.Build is null ? Pick(Builds) : null, Blank = Pick(Blanks) };
        }
    }

    /// <summary>The same version with its labels in another case: NuGet compares labels case-insensitively.</summary>
    private Version Recase(Version v) => v with
    {
        Labels = [.. v.Labels.Select(l => random.Next(3) switch { 0 => l.ToUpperInvariant(), 1 => l.ToLowerInvariant(), _ => l })],
    };

    private static string Render(Version v)
    {
        var text = string.Join('.', v.Release);
        if (v.Labels.Length > 0) text += "-" + string.Join('.', v.Labels);
        if (v.Build is not null) text += "+" + v.Build;
        return v.Blank + text + v.Blank;
    }

    private string Pick(string[] items) => items[random.Next(items.Length)];
}
