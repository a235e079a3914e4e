using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rust;

/// <summary>
/// Finds the crates compiled into Rust executables built with cargo-auditable (ELF), wherever they are in the image.
/// <para>
/// Runtime crates are reported, the root crate included (it is the application, possibly a published crate with
/// advisories of its own, and the Cargo.lock finder reports it too); crates only build scripts used ("kind":
/// "build") are left out, as Trivy does, since their code is not in the binary. All are matched as crates.io crates.
/// </para>
/// Binaries are recognised by content (<see cref="IContentSniffer"/>): no path is wanted.
/// </summary>
public sealed class AuditableBinaryFinder : IPackageFinder, IContentSniffer
{
    public string Name => "cargo-auditable-binary";
    public string Version => "1";

    public bool Wants(string path) => false;

    public bool WantsContent(string path, ReadOnlySpan<byte> head) => ElfFile.HasMagic(head);

    public bool KeepsContent(string path, byte[] content) =>
        ElfFile.TryParse(content) is { } elf && AuditableDependencyInfo.HasSection(elf);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var packages = new List<Package>();
        foreach (var file in files.Final.All.Where(f => ElfFile.HasMagic(f.Content)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (AuditableDependencyInfo.TryRead(file.Content) is not { } crates) continue;
            packages.AddRange(crates.Where(c => !c.IsBuildOnly).Select(crate => new Package
            {
                Name = crate.Name,
                Version = crate.Version,
                Type = PackageType.Cargo.Id,
                FilePath = file.Path,
                LayerDigest = file.LayerDigest,
            }));
        }
        return packages;
    }
}
