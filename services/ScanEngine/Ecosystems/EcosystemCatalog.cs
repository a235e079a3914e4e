using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems;

/// <summary>Every ecosystem the engine knows; the scanners and the CLI run these (OS ones only in BASIC scans).</summary>
public static class EcosystemCatalog
{
    public static IReadOnlyList<IEcosystem> All() =>
    [
        new DebianEcosystem(),
        new RpmEcosystem(),
    ];
}
