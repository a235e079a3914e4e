using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.Reliability.Tests;

/// <summary>
/// Distinct images to push by the hundred, each scanned for real: one small layer holding the real os-release and dpkg status
/// of a debootstrap Debian 12 root filesystem, and per image its own config (so its own digest), pushed to docker-registry
/// through the registry API like any client does. Two OSV advisories, for the image's real glibc and dpkg versions, give every
/// image the same findings.
/// </summary>
public sealed class ScanLoad
{
    private const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private readonly byte[] _layer;
    private readonly string _layerDigest;
    private readonly string _diffId;
    private readonly ConcurrentDictionary<string, Task> _layerPushed = new(StringComparer.Ordinal);

    private readonly (string Source, string Version) _glibc;
    private readonly string _dpkgVersion;

    private ScanLoad(byte[] layer, string diffId, (string, string) glibc, string dpkgVersion)
    {
        _layer = layer;
        _layerDigest = Digest(layer);
        _diffId = diffId;
        _glibc = glibc;
        _dpkgVersion = dpkgVersion;
    }

    public static async Task<ScanLoad> CreateAsync()
    {
        var rootfs = await DebianRootfs.GetOrCreateAsync();
        var status = await File.ReadAllTextAsync(Path.Combine(rootfs, "var/lib/dpkg/status"));
        var osRelease = await File.ReadAllTextAsync(Path.Combine(rootfs, "usr/lib/os-release"));
        var packages = status.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(Fields).Where(f => f.ContainsKey("Package")).ToList();
        var libc = packages.Single(p => p["Package"] == "libc6");
        var glibc = (libc["Source"].Split(' ')[0], libc["Version"]);
        var dpkg = packages.Single(p => p["Package"] == "dpkg")["Version"];

        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var directory in new[] { "etc/", "usr/", "usr/lib/", "var/", "var/lib/", "var/lib/dpkg/" })
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, directory) { Mode = (UnixFileMode)0b111_101_101 });
            await WriteFileAsync(writer, "usr/lib/os-release", osRelease);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/os-release") { LinkName = "../usr/lib/os-release" });
            await WriteFileAsync(writer, "var/lib/dpkg/status", status);
        }
        var diffId = Digest(tar.ToArray());
        using var gzip = new MemoryStream();
        await using (var compress = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true))
            await compress.WriteAsync(tar.ToArray());
        return new ScanLoad(gzip.ToArray(), diffId, glibc, dpkg);
    }

    /// <summary>Pushes image number <paramref name="n"/> of <paramref name="repository"/>: its own config and manifest over the shared layer.</summary>
    public async Task<PushedImage> PushAsync(RegistryServer registry, string repository, int n, CancellationToken ct = default)
    {
        await _layerPushed.GetOrAdd(repository, r => TestImages.PushBlobAsync(registry, r, _layer));
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Labels"] = new JsonObject { ["reliability.image"] = $"{repository}#{n}" } },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(_diffId) },
        }.ToJsonString());
        var configDigest = await TestImages.PushBlobAsync(registry, repository, config, ct);
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.Length),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", _layerDigest, _layer.Length)),
        }.ToJsonString());
        var tag = $"n{n}";
        var digest = await TestImages.PutManifestAsync(registry, repository, tag, ManifestMediaType, manifest, ct);
        return new PushedImage(registry.HostPort, repository, tag, digest);
    }

    /// <summary>Two OSV records in Debian's shape: glibc fixed just above the installed version, dpkg last affected at it.</summary>
    public byte[] AdvisoriesZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "REL-2026-0001", _glibc.Source, new JsonObject { ["fixed"] = _glibc.Version + "+rel1" });
            Add(zip, "REL-2026-0002", "dpkg", new JsonObject { ["last_affected"] = _dpkgVersion });
        }
        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string id, string package, JsonObject end)
    {
        var record = new JsonObject
        {
            ["schema_version"] = "1.6.0",
            ["id"] = id,
            ["modified"] = "2026-12-01T00:00:00Z",
            ["published"] = "2026-12-01T00:00:00Z",
            ["summary"] = $"{package}: reliability suite advisory",
            ["severity"] = new JsonArray(new JsonObject { ["type"] = "CVSS_V3", ["score"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }),
            ["affected"] = new JsonArray(new JsonObject
            {
                ["package"] = new JsonObject { ["ecosystem"] = "Debian:12", ["name"] = package, ["purl"] = $"pkg:deb/debian/{package}?arch=source" },
                ["ranges"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ECOSYSTEM",
                    ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, end),
                }),
            }),
        };
        using var writer = new StreamWriter(zip.CreateEntry(id + ".json").Open());
        writer.Write(record.ToJsonString());
    }

    private static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private static async Task WriteFileAsync(TarWriter writer, string path, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        await writer.WriteEntryAsync(entry);
    }

    private static Dictionary<string, string> Fields(string paragraph) => paragraph.Split('\n')
        .Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && l.Contains(':'))
        .GroupBy(l => l[..l.IndexOf(':')])
        .ToDictionary(g => g.Key, g => g.First()[(g.First().IndexOf(':') + 1)..].Trim());

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
