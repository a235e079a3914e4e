using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// rpm's labelCompare order (<see cref="RpmVersionComparer"/>) within one build line: RHEL 8 and 9 build a module's
/// rpms apart from the non-modular ones, with releases such as "1.module+el8.5.0+10613+59a13ec4". A fix shipped in a
/// module stream says nothing of the non-modular package of the same name and the other way round, so, as Trivy
/// does, a modular version and a non-modular one are not ordered: comparing them throws
/// <see cref="InvalidOperationException"/>, which the range evaluation (<c>AffectedRanges</c>) takes as "this range
/// does not apply", and the fix rankings as "cannot rank". Red Hat's OSV records drop the module's name and stream
/// (their converter keeps only the rpm name), so streams of one module are not told apart.
/// </summary>
public sealed class RedHatVersionComparer : IVersionComparer
{
    /// <summary>The release marker of Red Hat's module builds (MBS dist tag ".module+elX.Y.Z+BUILD+HASH").</summary>
    public const string ModuleMarker = ".module+";

    public static RedHatVersionComparer Instance { get; } = new();

    private RedHatVersionComparer() { }

    public string Scheme => "rpm";

    public int Compare(string? x, string? y)
    {
        if (x is not null && y is not null && IsModular(x) != IsModular(y))
            throw new InvalidOperationException($"'{x}' and '{y}' are builds of different lines (modular and non-modular): not ordered.");
        return RpmVersionComparer.Instance.Compare(x, y);
    }

    /// <summary>Whether an "[epoch:]version-release" is a module build: its release has the module marker.</summary>
    public static bool IsModular(string evr)
    {
        var dash = evr.LastIndexOf('-');
        return dash >= 0 && evr.AsSpan(dash + 1).Contains(ModuleMarker, StringComparison.Ordinal);
    }
}
