using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.AmazonLinux;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Ecosystems.DotNet;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.ScanEngine.Ecosystems.Oracle;
using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.ScanEngine.Ecosystems.Python;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Ecosystems.Ruby;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Ecosystems.Suse;
using ImageScanning.ScanEngine.Ecosystems.Ubuntu;
using ImageScanning.ScanEngine.Ecosystems.Wolfi;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems;

/// <summary>Every ecosystem the engine knows; the scanners and the CLI run these (OS ones only in BASIC scans).</summary>
public static class EcosystemCatalog
{
    /// <summary>
    /// Order matters where two ecosystems key the same package: the matcher keeps the first match per package
    /// and advisory, so Ubuntu's standard archive comes before Ubuntu Pro.
    /// </summary>
    public static IReadOnlyList<IEcosystem> All() =>
    [
        // Operating systems. Ubuntu and Wolfi key packages that Debian's dpkg and Alpine's apk finders find.
        new DebianEcosystem(),
        new UbuntuEcosystem(),
        new UbuntuProEcosystem(),
        new AlpineEcosystem(),
        new WolfiEcosystem(),
        new RpmEcosystem(),
        .. RedHatEcosystem.All(),
        new AmazonLinuxEcosystem(),
        .. SuseEcosystems.All(),
        new OracleLinuxEcosystem(),
        // Languages (ENHANCED only).
        new JavaEcosystem(),
        new NpmEcosystem(),
        new DotNetEcosystem(),
        new RustEcosystem(),
        new GoEcosystem(),
        new PythonEcosystem(),
        new RubyEcosystem(),
        new PhpEcosystem(),
    ];

    private static readonly IReadOnlyList<IEcosystem> Shared = All();

    private static readonly Dictionary<string, IEcosystem> ByAdvisoryEcosystem = Shared
        .SelectMany(e => e.AdvisoryEcosystems.Select(a => (Advisory: a, Ecosystem: e)))
        .DistinctBy(x => x.Advisory, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(x => x.Advisory, x => x.Ecosystem, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every native feed format of every ecosystem's vendor.</summary>
    public static IReadOnlyList<NativeFeedFormat> NativeFeeds { get; } = Shared.SelectMany(e => e.NativeFeeds).ToList();

    /// <summary>The ecosystem that keys packages for an advisory ecosystem's base name ("Debian", "PyPI"), or null.</summary>
    public static IEcosystem? OwnerOf(string baseAdvisoryEcosystem) => ByAdvisoryEcosystem.GetValueOrDefault(baseAdvisoryEcosystem);

    /// <summary>The native feed format of a name ("debian-tracker"), or null.</summary>
    public static NativeFeedFormat? FindNativeFeed(string name) =>
        NativeFeeds.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The native feed format a CveFeed source kind fetches ("debian-tracker-url"), or null.</summary>
    public static NativeFeedFormat? FindNativeFeedByUrlKind(string kind) =>
        NativeFeeds.FirstOrDefault(f => string.Equals(f.UrlKind, kind, StringComparison.OrdinalIgnoreCase));
}
