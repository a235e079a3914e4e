namespace ImageScanning.ScanEngine.Model;

/// <summary>How a package type's name splits into a package URL's namespace and name.</summary>
public enum PurlNaming
{
    /// <summary>The name as it is, no namespace (nuget, cargo, gem).</summary>
    Plain,

    /// <summary>OS packages: the distribution id is the namespace ("pkg:deb/debian/openssl"), with a distro qualifier.</summary>
    Distribution,

    /// <summary>Maven's "group:artifact": the group is the namespace.</summary>
    GroupColonArtifact,

    /// <summary>Everything before the last "/" is the namespace ("@babel/core", "github.com/x/y", "vendor/package").</summary>
    LastSlash,

    /// <summary>PyPI: no namespace, the name lower-cased with "_" as "-" (the purl spec's pypi rule).</summary>
    PythonLower,
}

/// <summary>
/// One kind of package the finders report: the value of <see cref="Package.Type"/>, which is its package URL type, and
/// what every consumer needs to know of it (whether it is an OS package, how its purl is written, Inspector's
/// packageManager). Every type is listed here, as syft's pkg/type.go lists them, so no consumer keeps its own switch;
/// the ecosystem whose finders report a type names it from here.
/// </summary>
public sealed record PackageType(string Id, bool IsOperatingSystem, PurlNaming Naming, string InspectorPackageManager)
{
    public static readonly PackageType Deb = new("deb", true, PurlNaming.Distribution, "OS");
    public static readonly PackageType Apk = new("apk", true, PurlNaming.Distribution, "OS");
    public static readonly PackageType Rpm = new("rpm", true, PurlNaming.Distribution, "OS");
    public static readonly PackageType Maven = new("maven", false, PurlNaming.GroupColonArtifact, "JAR");
    public static readonly PackageType Npm = new("npm", false, PurlNaming.LastSlash, "NODEPKG");
    public static readonly PackageType NuGet = new("nuget", false, PurlNaming.Plain, "DOTNET_CORE");
    public static readonly PackageType Cargo = new("cargo", false, PurlNaming.Plain, "CARGO");
    public static readonly PackageType Golang = new("golang", false, PurlNaming.LastSlash, "GOBINARY");
    public static readonly PackageType PyPI = new("pypi", false, PurlNaming.PythonLower, "PYTHONPKG");
    public static readonly PackageType Gem = new("gem", false, PurlNaming.Plain, "GEMSPEC");
    public static readonly PackageType Composer = new("composer", false, PurlNaming.LastSlash, "COMPOSER");

    public static IReadOnlyList<PackageType> All { get; } = [Deb, Apk, Rpm, Maven, Npm, NuGet, Cargo, Golang, PyPI, Gem, Composer];

    private static readonly Dictionary<string, PackageType> ById = All.ToDictionary(t => t.Id, StringComparer.Ordinal);

    /// <summary>The type of a <see cref="Package.Type"/> value; null for one no finder reports.</summary>
    public static PackageType? Of(string id) => ById.GetValueOrDefault(id);

    /// <summary>Whether packages of this type id are OS packages (false for an unknown id).</summary>
    public static bool IsOperatingSystemType(string id) => Of(id)?.IsOperatingSystem ?? false;

    /// <summary>
    /// Inspector's packageManager for a stored package type: the type's own, and for an id no finder reports (a record
    /// written by another tool) the id upper-cased, as Inspector writes names it has no constant for.
    /// </summary>
    public static string InspectorPackageManagerOf(string id) => Of(id)?.InspectorPackageManager ?? id.ToUpperInvariant();

    public override string ToString() => Id;
}
