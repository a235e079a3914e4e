using System.Reflection;
using ImageScanning.ScanEngine.Ecosystems;
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
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Vex;

namespace ImageScanning.Fuzzing;

/// <summary>One untrusted parser, fed one input; <see cref="Seeds"/> gives the files afl-fuzz starts from.</summary>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Run, Func<string, IEnumerable<(string Name, byte[] Content)>> Seeds);

/// <summary>
/// Every parser of bytes an image's author controls. Finders are driven through <see cref="IPackageFinder.Find"/> with the input
/// at the path the finder reads, exactly as a scan calls them, so what is fuzzed is what runs.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Smaller than the defaults so that one input cannot take longer than afl-fuzz's timeout by sheer size.</summary>
    private static readonly LayerLimits FuzzLayerLimits = new()
    {
        MaxUncompressedBytes = 64L * 1024 * 1024, MaxFileBytes = 16L * 1024 * 1024, MaxKeptBytes = 32L * 1024 * 1024,
        MaxSniffedFileBytes = 16L * 1024 * 1024, MaxEntries = 100_000,
    };

    private static readonly IReadOnlyList<IPackageFinder> AllFinders = EcosystemCatalog.All().SelectMany(e => e.Finders).ToList();
    private static readonly IContentSniffer? Sniffer = ContentSniffers.Of(AllFinders);
    private static readonly Distribution Debian = new("debian", "12", "bookworm", null);

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("layer", "a layer blob (tar, gzip or zstd) through LayerReader, then every finder over what it kept", ReadLayer, SeedFiles.Layers),
        new("manifest", "an OCI/Docker manifest or index through ManifestParser", ParseManifest, SeedFiles.Manifests),
        Finder("dpkg", new DpkgFinder(), "var/lib/dpkg/status", SeedFiles.Corpus("inventory/dpkg", "status")),
        Finder("dpkg-status-d", new DpkgFinder(), "var/lib/dpkg/status.d/base", SeedFiles.Corpus("inventory/dpkg-distroless", "")),
        Finder("apk", new ApkFinder(), "lib/apk/db/installed", SeedFiles.Corpus("inventory/apk", "installed")),
        new("rpm-header", "one rpm header blob through RpmHeaderParser", input => RpmHeaderParser.Parse(input), SeedFiles.RpmHeaders),
        Finder("rpm-bdb", new RpmFinder(), "var/lib/rpm/Packages", SeedFiles.RpmBerkeley),
        Finder("rpm-ndb", new RpmFinder(), "usr/lib/sysimage/rpm/Packages.db", SeedFiles.RpmNdb),
        Finder("rpm-sqlite", new RpmFinder(), "var/lib/rpm/rpmdb.sqlite", SeedFiles.RpmSqlite),
        Finder("npm-lock", new NpmFinder(), "app/package-lock.json", SeedFiles.Corpus("inventory/npm", "package-lock.json")),
        Finder("npm-package", new NpmFinder(), "app/node_modules/express/package.json", SeedFiles.Corpus("inventory/npm", "package.json")),
        Finder("python", new PythonPackageFinder(), "usr/lib/python3.11/site-packages/flask-2.0.0.dist-info/METADATA", SeedFiles.Corpus("inventory/python", "METADATA")),
        Finder("go", new GoBinaryFinder(), "usr/bin/app", SeedFiles.Elf),
        Finder("java", new JavaArchiveFinder(), "app/lib/app.jar", SeedFiles.Jars),
        Finder("dotnet", new DepsJsonFinder(), "app/app.deps.json", SeedFiles.Corpus("inventory/dotnet", ".deps.json")),
        Finder("cargo-lock", new CargoLockFinder(), "app/Cargo.lock", SeedFiles.Corpus("inventory/cargo", "Cargo.lock")),
        Finder("rust-auditable", new AuditableBinaryFinder(), "usr/bin/app", SeedFiles.Elf),
        Finder("gemspec", new GemSpecificationFinder(), "usr/local/bundle/specifications/rake-13.0.3.gemspec", SeedFiles.Corpus("inventory/ruby", ".gemspec")),
        Finder("composer", new ComposerInstalledFinder(), "app/vendor/composer/installed.json", SeedFiles.Corpus("inventory/php", "installed.json")),
        new("vex", "a VEX document (OpenVEX, CycloneDX, CSAF, or an attestation around one) as discovery reads a referrer's layer", ReadVex,
            corpus => SeedFiles.Corpus("vex", ".json")(corpus).Concat(SeedFiles.Corpus("native/redhat-vex", ".json")(corpus))),
    ];

    public static FuzzTarget? Named(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// What the engine may throw for bad bytes: a ScanException with a reason, or an InvalidDataException (which callers turn into
    /// one). Anything else escaping a parser is a crash: the CLI and the scanners do not expect it.
    /// </summary>
    public static bool IsExpected(Exception e) => e is ScanException or InvalidDataException or VexDocumentException;

    private static FuzzTarget Finder(string name, IPackageFinder finder, string path, Func<string, IEnumerable<(string, byte[])>> seeds) =>
        new(name, $"{finder.GetType().Name} on /{path}", input =>
        {
            var layer = new LayerFiles { Digest = "sha256:" + new string('f', 64), Files = new Dictionary<string, byte[]> { [path] = input } };
            _ = finder.Find(new ImageFiles([layer]), Debian).ToList();
        }, seeds);

    private static void ReadVex(byte[] input)
    {
        if (VexAttestation.Unwrap(input) is { } document)
            _ = new VexStatementSet([VexDocumentReader.Read(document, subject: "sha256:" + new string('c', 64))]).Count;
    }

    private static void ReadLayer(byte[] input)
    {
        var wanted = AllFinders;
        var result = new LayerReader().ReadWithStatsAsync(new MemoryStream(input, writable: false), MediaTypes.OciLayerGzip, "sha256:" + new string('e', 64),
            path => path == "etc/os-release" || wanted.Any(f => f.Wants(path)), FuzzLayerLimits, CancellationToken.None, Sniffer).GetAwaiter().GetResult();
        var files = new ImageFiles([result.Files]);
        var distribution = files.Final.TryGet("etc/os-release", out _) ? Debian : null;
        foreach (var finder in wanted) _ = finder.Find(files, distribution).ToList();
    }

    // ManifestParser is internal to the engine; the harness reaches it the one way that needs no change to the engine.
    private static readonly Func<byte[], string?, string, string, ImageManifest> ManifestParse =
        typeof(LayerReader).Assembly.GetType("ImageScanning.ScanEngine.Images.ManifestParser", throwOnError: true)!
            .GetMethod("Parse", BindingFlags.Public | BindingFlags.Static)!
            .CreateDelegate<Func<byte[], string?, string, string, ImageManifest>>();

    private static void ParseManifest(byte[] input) => _ = ManifestParse(input, null, "sha256:" + new string('d', 64), "manifest");
}
