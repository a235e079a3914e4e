namespace ImageScanning.Comparison.Tests;

/// <summary>
/// One package Trivy reports that we do not, with the reason the difference is right (or, marked
/// "KNOWN GAP", a miss in our finders that is reported and waits for a fix in the engine).
/// </summary>
public sealed record KnownDifference(string Input, string Type, string Name, string Version, string Reason)
{
    public bool Covers(string input, PackageKey key) =>
        input == Input && key.Type == Type && key.Name == Name && key.Version == Version;
}

/// <summary>Every accepted difference, per input. An entry that no longer matches a difference fails the test, so the list cannot go stale.</summary>
public static class KnownDifferences
{
    public static readonly IReadOnlyList<KnownDifference> All =
    [
    ];
}
