using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Suse;

/// <summary>The SUSE ecosystems, in the catalog's order: openSUSE, then each SLE stream (product first).</summary>
public static class SuseEcosystems
{
    public static IReadOnlyList<IEcosystem> All() =>
    [
        new OpenSuseEcosystem(),
        .. Enum.GetValues<SleStream>().Select(s => new SuseEnterpriseEcosystem(s)),
    ];
}
