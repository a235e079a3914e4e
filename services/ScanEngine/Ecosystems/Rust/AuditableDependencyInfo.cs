using ImageScanning.ScanEngine.Model;
using System.IO.Compression;
using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems.Go;

namespace ImageScanning.ScanEngine.Ecosystems.Rust;

/// <summary>A crate of a cargo-auditable binary's dependency tree; <see cref="IsBuildOnly"/> for build scripts' dependencies.</summary>
public sealed record AuditableCrate(string Name, string Version, string Source, bool IsBuildOnly, bool IsRoot);

/// <summary>
/// Reads the dependency tree cargo-auditable embeds in Rust executables: an ELF section ".dep-v0" holding
/// zlib-compressed JSON <c>{"packages":[{"name","version","source","kind","dependencies","root"}]}</c>
/// (https://github.com/rust-secure-code/cargo-auditable; "kind" defaults to "runtime", "root" to false).
/// Nothing here throws on bad input: a missing, truncated, oversized or malformed section reads as null.
/// </summary>
public static class AuditableDependencyInfo
{
    public const string SectionName = ".dep-v0";

    /// <summary>Decompressed JSON accepted; real trees are a few kilobytes, so more is taken for a zip bomb.</summary>
    private const int MaxJsonBytes = 8 * 1024 * 1024;

    public static bool HasSection(ElfFile elf) => elf.FindSection(SectionName) is not null;

    /// <summary>The crates of an auditable ELF binary; null when it has no readable dependency tree.</summary>
    public static IReadOnlyList<AuditableCrate>? TryRead(byte[] binary) =>
        ElfFile.TryParse(binary)?.SectionData(SectionName) is { } compressed ? TryParse(compressed) : null;

    /// <summary>Decompresses and parses the section's content.</summary>
    public static IReadOnlyList<AuditableCrate>? TryParse(byte[] compressed)
    {
        byte[] json;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxJsonBytes) return null;
                output.Write(buffer, 0, read);
            }
            json = output.ToArray();
        }
        // zlib reports some corrupt streams as its internal ZLibException (an IOException), not InvalidDataException: found by the
        // fuzzer. The source is in memory, so any IOException here is the inflater's.
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }

        try
        {
            using var document = UntrustedJson.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("packages", out var packages) || packages.ValueKind != JsonValueKind.Array)
                return null;
            var crates = new List<AuditableCrate>();
            foreach (var package in packages.EnumerateArray())
            {
                if (package.ValueKind != JsonValueKind.Object) continue;
                string? Text(string name) => package.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                var name = Text("name");
                var version = Text("version");
                if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(version)) continue;
                var isRoot = package.TryGetProperty("root", out var root) && root.ValueKind == JsonValueKind.True;
                crates.Add(new AuditableCrate(name, version, Text("source") ?? "", Text("kind") == "build", isRoot));
            }
            return crates;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
