using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>An image root's inventory as the real engine (ENHANCED finder set) lists it: what a scanner stores after a push scan.</summary>
public sealed record LoadInventory(string Name, Distribution? Distribution, IReadOnlyList<Package> Packages);

/// <summary>
/// Real corpus inventories combined into image roots: each OS package database (dpkg status, apk installed) with an os-release,
/// plus one application lock file (npm, Cargo). The engine's own directory reader and finders list each root once.
/// </summary>
public static class LoadInventories
{
    public sealed record OperatingSystem(string Name, string CorpusDirectory, string OsRelease);

    public static readonly IReadOnlyList<OperatingSystem> OperatingSystems =
    [
        new("debian-12-scalibr-valid", "dpkg", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
        new("ubuntu-18.04-texlive", "dpkg", "ID=ubuntu\nVERSION_ID=\"18.04\"\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\n"),
        new("ubuntu-18.04-trivy-valid", "dpkg", "ID=ubuntu\nVERSION_ID=\"18.04\"\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\n"),
        new("alpine-3.16-syft", "apk", "ID=alpine\nVERSION_ID=3.16.9\nPRETTY_NAME=\"Alpine Linux v3.16\"\n"),
        new("alpine-3.18-scalibr", "apk", "ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux v3.18\"\n"),
    ];

    /// <summary>The lock file whose crates only 1 % of the catalog holds (the advisories' targets), and the others.</summary>
    public const string MarkedApplication = "cargo/syft";
    public static readonly IReadOnlyList<string> OtherApplications = ["npm/trivy-happy", "npm/syft-npm-lock", "cargo/trivy-ci-test"];

    /// <summary>Writes the root of one OS + application image into <paramref name="root"/>.</summary>
    public static void WriteRoot(string root, OperatingSystem os, string application)
    {
        var editor = new RootfsEditor(root);
        editor.CopyDirectory(Corpus.PathOf("inventory", os.CorpusDirectory, os.Name));
        editor.CopyDirectory(Corpus.PathOf("inventory", application.Split('/')[0], application.Split('/')[1]));
        editor.WriteFile("etc/os-release", os.OsRelease);
    }

    public static async Task<LoadInventory> InventoryAsync(string name, string root, CancellationToken ct = default)
    {
        var finders = EcosystemCatalog.All().SelectMany(e => e.Finders).ToArray();
        bool Wants(string path) => DistributionDetector.Wants(path) || finders.Any(f => f.Wants(path));
        var image = await new LocalImageReader(new LayerReader(), LayerLimits.Default).ReadDirectoryAsync(root, Wants, ct);
        var distribution = DistributionDetector.Detect(image.Files.Final);
        return new LoadInventory(name, distribution, finders.SelectMany(f => f.Find(image.Files, distribution)).ToList());
    }

    /// <summary>Every OS with every application: 5 × 4 = 20 real inventories.</summary>
    public static async Task<(IReadOnlyList<LoadInventory> Marked, IReadOnlyList<LoadInventory> Others)> AllAsync(string workDirectory)
    {
        var marked = new List<LoadInventory>();
        var others = new List<LoadInventory>();
        foreach (var os in OperatingSystems)
            foreach (var application in OtherApplications.Prepend(MarkedApplication))
            {
                var name = $"{os.Name}+{application}";
                var root = Path.Combine(workDirectory, "roots", name.Replace('/', '_'));
                WriteRoot(root, os, application);
                var inventory = await InventoryAsync(name, root);
                (application == MarkedApplication ? marked : others).Add(inventory);
            }
        return (marked, others);
    }
}
