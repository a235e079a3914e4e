using System.Globalization;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Advisories;

/// <summary>
/// A test-only comparer: dotted numeric versions with an optional "-prerelease" (which sorts before the
/// release), enough for SemVer-like Go, Maven and npm versions of the corpus. Non-numeric parts compare
/// ordinally after numeric ones. Not a real scheme's comparer.
/// </summary>
public sealed class DottedVersionComparer : IVersionComparer
{
    public static readonly DottedVersionComparer Instance = new();

    public string Scheme => "test-dotted";

    public int Compare(string? x, string? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (xMain, xPre) = Split(x.TrimStart('v'));
        var (yMain, yPre) = Split(y.TrimStart('v'));
        var byMain = CompareDotted(xMain, yMain);
        if (byMain != 0) return byMain;
        if (xPre is null) return yPre is null ? 0 : 1;
        if (yPre is null) return -1;
        return CompareDotted(xPre, yPre);
    }

    private static (string Main, string? Pre) Split(string version)
    {
        var dash = version.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (version, null) : (version[..dash], version[(dash + 1)..]);
    }

    private static int CompareDotted(string x, string y)
    {
        var xs = x.Split('.');
        var ys = y.Split('.');
        for (var i = 0; i < Math.Max(xs.Length, ys.Length); i++)
        {
            if (i >= xs.Length) return -1;
            if (i >= ys.Length) return 1;
            var xNumeric = long.TryParse(xs[i], NumberStyles.None, CultureInfo.InvariantCulture, out var xn);
            var yNumeric = long.TryParse(ys[i], NumberStyles.None, CultureInfo.InvariantCulture, out var yn);
            var c = (xNumeric, yNumeric) switch
            {
                (true, true) => xn.CompareTo(yn),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(xs[i], ys[i]),
            };
            if (c != 0) return c;
        }
        return 0;
    }
}

/// <summary>Counts comparisons, to prove a caller used the comparer it was given.</summary>
public sealed class CountingComparer(IVersionComparer inner) : IVersionComparer
{
    public int Calls { get; private set; }
    public string Scheme => inner.Scheme;

    public int Compare(string? x, string? y)
    {
        Calls++;
        return inner.Compare(x, y);
    }
}

/// <summary>A comparer that rejects every version, like a strict scheme fed garbage.</summary>
public sealed class ThrowingComparer : IVersionComparer
{
    public string Scheme => "throwing";
    public int Compare(string? x, string? y) => throw new FormatException($"cannot compare {x} and {y}");
}
