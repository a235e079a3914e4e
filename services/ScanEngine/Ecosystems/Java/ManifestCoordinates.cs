namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>
/// Maven coordinates guessed for an archive without pom.properties (lower confidence than pom.properties):
/// <list type="bullet">
///   <item>artifactId: the file name's "artifact" in "artifact-1.2.3.jar", else Implementation-Title when it is a
///     plain identifier (titles are often prose such as "Apache Commons Lang");</item>
///   <item>groupId: Implementation-Vendor-Id, else Bundle-SymbolicName without its last segment
///     ("com.fasterxml.jackson.core.jackson-databind" → "com.fasterxml.jackson.core"), as Trivy does;</item>
///   <item>version: Implementation-Version, else Bundle-Version, else the file name's version.</item>
/// </list>
/// Null when any of the three is missing or does not look like a Maven identifier.
/// </summary>
public static class ManifestCoordinates
{
    public static (string GroupId, string ArtifactId, string Version)? From(IReadOnlyDictionary<string, string> manifest, string fileName)
    {
        var (fileArtifact, fileVersion) = SplitFileName(fileName);
        var artifactId = fileArtifact ?? Identifier(manifest.GetValueOrDefault("Implementation-Title"));
        var groupId = Identifier(manifest.GetValueOrDefault("Implementation-Vendor-Id")) ?? GroupFromSymbolicName(manifest.GetValueOrDefault("Bundle-SymbolicName"));
        var version = NonEmpty(manifest.GetValueOrDefault("Implementation-Version"))
            ?? NonEmpty(manifest.GetValueOrDefault("Bundle-Version"))
            ?? fileVersion;
        if (artifactId is null || groupId is null || version is null || version.Any(char.IsWhiteSpace)) return null;
        return (groupId, artifactId, version);
    }

    /// <summary>"log4j-core-2.14.1.jar" → ("log4j-core", "2.14.1"): split before the first "-digit".</summary>
    public static (string? Artifact, string? Version) SplitFileName(string fileName)
    {
        var dot = fileName.LastIndexOf('.');
        var stem = dot > 0 ? fileName[..dot] : fileName;
        for (var i = 1; i + 1 < stem.Length; i++)
            if (stem[i] == '-' && char.IsAsciiDigit(stem[i + 1]))
                return (Identifier(stem[..i]), stem[(i + 1)..]);
        return (Identifier(stem), null);
    }

    private static string? GroupFromSymbolicName(string? symbolicName)
    {
        // Directives follow a ';': "org.eclipse.core.runtime; singleton:=true".
        var name = symbolicName?.Split(';', 2)[0].Trim();
        if (Identifier(name) is not { } id) return null;
        var lastDot = id.LastIndexOf('.');
        return lastDot > 0 ? id[..lastDot] : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Maven group and artifact ids are letters, digits, '.', '-' and '_'.</summary>
    private static string? Identifier(string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')) return null;
        return value;
    }
}
