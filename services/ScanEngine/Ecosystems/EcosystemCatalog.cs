using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Ecosystems.DotNet;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.ScanEngine.Ecosystems.Python;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Ecosystems.Ruby;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Ecosystems.Ubuntu;
using ImageScanning.ScanEngine.Ecosystems.Wolfi;
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
}
