using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Go;

/// <summary>
/// Finds the Go modules compiled into Go executables (ELF), wherever they are in the image, from the build info the
/// Go linker embeds (what <c>go version -m</c> prints). Each binary yields its main module, its dependencies and the
/// standard library as the package "stdlib" at the toolchain's version, which is how go-vulndb names Go itself.
/// Binaries are recognised by content (<see cref="IContentSniffer"/>): no path is wanted.
/// </summary>
public sealed class GoBinaryFinder : IPackageFinder, IContentSniffer
{
    /// <summary>go-vulndb's name for the standard library and runtime.</summary>
    public const string StandardLibrary = "stdlib";

    public string Name => "go-binary";
    public string Version => "1";

    public bool Wants(string path) => false;

    public bool WantsContent(string path, ReadOnlySpan<byte> head) => ElfFile.HasMagic(head);

    public bool KeepsContent(string path, byte[] content) =>
        ElfFile.TryParse(content) is { } elf && GoBuildInfo.IsGoBinary(elf);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var packages = new List<Package>();
        foreach (var file in files.Final.All.Where(f => ElfFile.HasMagic(f.Content)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (GoBuildInfo.TryRead(file.Content) is not { } info) continue;
            Package Module(string name, string version) => new()
            {
                Name = name,
                Version = version,
                Type = PackageType.Golang.Id,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            };
            if (GoModuleVersions.ToolchainVersion(info.GoVersion) is { } toolchain) packages.Add(Module(StandardLibrary, toolchain));
            if (info.MainModule is { } main) packages.Add(Module(main.Path, main.Version));
            packages.AddRange(info.Dependencies.Select(d => Module(d.Path, d.Version)));
        }
        return packages;
    }
}
