namespace ImageScanning.ScanEngine.Model;

/// <summary>A package found in an image, attributed to the layer that added it.</summary>
public sealed record Package
{
    public required string Name { get; init; }
    public required string Version { get; init; }

    /// <summary>Package type as in package URLs: "deb", "apk", "rpm", "pypi", "maven", ...</summary>
    public required string Type { get; init; }

    /// <summary>Source package (dpkg "Source:", rpm SRPM); OS advisories name these.</summary>
    public string? SourceName { get; init; }
    public string? SourceVersion { get; init; }
    public string? Architecture { get; init; }

    /// <summary>Who built the package (rpm's VENDOR tag, "Red Hat, Inc."); null when the database does not say.</summary>
    public string? Vendor { get; init; }

    /// <summary>rpm's MODULARITYLABEL ("name:stream:version:context") of a package built in a module; null otherwise.</summary>
    public string? ModularityLabel { get; init; }

    /// <summary>
    /// The repositories (Red Hat content sets, "rhel-8-for-x86_64-baseos-rpms") the image's build manifest says the
    /// package's layer was installed from; null when the image has no such manifest. rpm databases do not record it.
    /// </summary>
    public IReadOnlyList<string>? ContentSets { get; init; }

    /// <summary>The database or file the package was read from, relative to the image root.</summary>
    public required string FilePath { get; init; }

    /// <summary>Digest of the layer that added this version of the package.</summary>
    public required string LayerDigest { get; init; }
}
