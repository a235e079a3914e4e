namespace ImageScanning.Comparison.Tests;

/// <summary>
/// One package one tool reports and the other does not, with the reason the difference is right (or, marked
/// "KNOWN GAP", a miss in our finders that is reported and waits for a fix in the engine).
/// </summary>
public sealed record KnownDifference(string Input, string Type, string Name, string Version, string Reason)
{
    public bool Covers(string input, PackageKey key) =>
        input == Input && key.Type == Type && key.Name == Name && key.Version == Version;

    public override string ToString() => $"{Type}:{Name}@{Version}";
}

/// <summary>
/// Every accepted difference, per input and per direction. An entry that no longer matches a difference fails the test, so the
/// lists cannot go stale. Where Trivy reads nothing of an input (<see cref="CorpusRoot.TrivyFindsNothingBecause"/>) that reason
/// accounts for every package we find there; everywhere else each package only we report is named here with its reason.
/// </summary>
public static class KnownDifferences
{
    /// <summary>
    /// Trivy v0.44's one Composer analyzer reads composer.lock; it has none for vendor/composer/installed.json, the file Composer
    /// installs and an image ships (later Trivy versions added one, composer-vendor). We read installed.json, as Syft does.
    /// </summary>
    public const string ComposerVendorNotReadByTrivy = "Trivy v0.44 has no analyzer for vendor/composer/installed.json";

    /// <summary>Packages Trivy reports that we do not.</summary>
    public static readonly IReadOnlyList<KnownDifference> OnlyTrivy =
    [
    ];

    /// <summary>Packages we report that Trivy does not, in inputs where Trivy reports others.</summary>
    public static readonly IReadOnlyList<KnownDifference> OnlyOurs =
    [
        // /app/php/vendor/composer/installed.json, the corpus's syft-composer2 tree laid into the Debian root.
        new("debian-12-with-languages", "composer", "asm89/stack-cors", "1.3.0", ComposerVendorNotReadByTrivy),
        new("debian-12-with-languages", "composer", "behat/mink", "v1.8.1", ComposerVendorNotReadByTrivy),
    ];
}
