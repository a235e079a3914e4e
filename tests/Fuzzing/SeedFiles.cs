using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Fuzzing;

/// <summary>
/// Starting inputs for afl-fuzz: small files of the shared corpus (read at run time, never committed) and small inputs made here
/// for the formats the corpus lacks or holds only in large files. afl-fuzz skips seeds over 1 MB, so larger ones are left out.
/// </summary>
public static class SeedFiles
{
    private const int MaxSeedBytes = 512 * 1024;
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
    private const string Status = "Package: acl\nStatus: install ok installed\nArchitecture: amd64\nSource: acl (2.3.1-3)\nVersion: 2.3.1-3\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n";

    /// <summary>Corpus files under <paramref name="folder"/> whose name ends with <paramref name="suffix"/> ("" for all).</summary>
    public static Func<string, IEnumerable<(string, byte[])>> Corpus(string folder, string suffix) => corpus =>
    {
        var root = Path.Combine(corpus, folder);
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).EndsWith(suffix, StringComparison.Ordinal) && new FileInfo(f).Length <= MaxSeedBytes)
            .Order(StringComparer.Ordinal)
            .Select((f, i) => ($"corpus-{i}-{Path.GetFileName(f)}", System.IO.File.ReadAllBytes(f)));
    };

    public static IEnumerable<(string, byte[])> Layers(string corpus)
    {
        var tar = Tar(writer =>
        {
            TarFile(writer, "etc/os-release", OsRelease);
            TarFile(writer, "var/lib/dpkg/status", Status);
            TarFile(writer, "lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n");
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "usr/lib/os-release") { LinkName = "../../etc/os-release" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "var/lib/dpkg/status-old") { LinkName = "var/lib/dpkg/status" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "var/lib/.wh.gone"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "opt/.wh..wh..opq"));
            TarFile(writer, "app/" + new string('n', 120) + "/package-lock.json", """{"lockfileVersion":3,"packages":{"node_modules/ms":{"version":"2.1.3"}}}""");
        });
        yield return ("layer.tar", tar);
        yield return ("layer.tar.gz", Gzip(tar));
        yield return ("layer.tar.zst", new ZstdSharp.Compressor(3).Wrap(tar).ToArray());
        yield return ("layer-gnu.tar", Tar(writer =>
        {
            var entry = new GnuTarEntry(TarEntryType.RegularFile, "var/lib/dpkg/status.d/" + new string('g', 110)) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(Status)) };
            writer.WriteEntry(entry);
        }, TarEntryFormat.Gnu));
    }

    public static IEnumerable<(string, byte[])> Manifests(string corpus)
    {
        static JsonObject Descriptor(string mediaType, char fill, long size) =>
            new() { ["mediaType"] = mediaType, ["digest"] = "sha256:" + new string(fill, 64), ["size"] = size };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", 'a', 100),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", 'b', 1000), Descriptor("application/vnd.oci.image.layer.v1.tar+zstd", 'c', 10)),
        };
        yield return ("oci-manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        var index = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(Platform(Descriptor("application/vnd.oci.image.manifest.v1+json", 'd', 500), "amd64"), Platform(Descriptor("application/vnd.oci.image.manifest.v1+json", 'e', 500), "arm64")),
        };
        yield return ("oci-index.json", Encoding.UTF8.GetBytes(index.ToJsonString()));
        var docker = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json",
            ["config"] = Descriptor("application/vnd.docker.container.image.v1+json", 'a', 100),
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", ["digest"] = "sha256:" + new string('f', 64), ["size"] = 5,
                ["urls"] = new JsonArray("https://example.invalid/layer"),
            }),
        };
        yield return ("docker-manifest.json", Encoding.UTF8.GetBytes(docker.ToJsonString()));
        yield return ("docker-list.json", Encoding.UTF8.GetBytes(index.ToJsonString().Replace("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")));
    }

    private static JsonObject Platform(JsonObject descriptor, string architecture)
    {
        descriptor["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = architecture };
        return descriptor;
    }

    private static string BerkeleyPath(string corpus) => Path.Combine(corpus, "inventory", "rpm", "libuuid-bdb", "var", "lib", "rpm", "Packages");

    private static IReadOnlyList<byte[]> HeaderBlobs(string corpus) =>
        System.IO.File.Exists(BerkeleyPath(corpus)) ? RpmDatabase.ReadHeaderBlobs(System.IO.File.ReadAllBytes(BerkeleyPath(corpus))) : [];

    public static IEnumerable<(string, byte[])> RpmHeaders(string corpus) => HeaderBlobs(corpus).Select((b, i) => ($"header-{i}", b));

    public static IEnumerable<(string, byte[])> RpmBerkeley(string corpus) =>
        System.IO.File.Exists(BerkeleyPath(corpus)) ? [("libuuid-Packages", System.IO.File.ReadAllBytes(BerkeleyPath(corpus)))] : [];

    /// <summary>An ndb database holding the corpus's rpm headers: one 4 KiB slot page, then one blob per header in 16-byte blocks.</summary>
    public static IEnumerable<(string, byte[])> RpmNdb(string corpus)
    {
        var blobs = HeaderBlobs(corpus);
        if (blobs.Count == 0) yield break;
        var file = new MemoryStream();
        var slots = new byte[4096];
        Encoding.ASCII.GetBytes("RpmP").CopyTo(slots, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(slots.AsSpan(12), 1);
        for (var at = 32; at + 16 <= slots.Length; at += 16) Encoding.ASCII.GetBytes("Slot").CopyTo(slots, at);
        file.Write(slots);
        for (var i = 0; i < blobs.Count && 32 + i * 16 + 16 <= slots.Length; i++)
        {
            var block = (uint)(file.Length / 16);
            var header = new byte[16];
            Encoding.ASCII.GetBytes("BlbS").CopyTo(header, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)i + 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)blobs[i].Length);
            file.Write(header);
            file.Write(blobs[i]);
            file.Write(new byte[(16 - file.Length % 16) % 16]);
            var slot = file.GetBuffer().AsSpan(32 + i * 16);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], (uint)i + 1);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[8..], block);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[12..], (uint)((blobs[i].Length + 16 + 15) / 16));
        }
        yield return ("generated-Packages.db", file.ToArray());
    }

    /// <summary>An rpmdb.sqlite as rpm writes it (a Packages table of hnum and blob) holding the corpus's rpm headers.</summary>
    public static IEnumerable<(string, byte[])> RpmSqlite(string corpus)
    {
        var blobs = HeaderBlobs(corpus);
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText = "PRAGMA page_size=1024; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);";
                create.ExecuteNonQuery();
                foreach (var blob in blobs)
                {
                    using var insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO Packages (blob) VALUES ($blob)";
                    insert.Parameters.AddWithValue("$blob", blob);
                    insert.ExecuteNonQuery();
                }
            }
            return [("generated-rpmdb.sqlite", System.IO.File.ReadAllBytes(path))];
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    public static IEnumerable<(string, byte[])> Jars(string corpus)
    {
        foreach (var seed in Corpus("inventory/java", ".jar")(corpus)) yield return seed;
        var inner = Zip(("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Title: inner\nImplementation-Version: 1.2.3\n"),
            ("META-INF/maven/org.example/inner/pom.properties", "groupId=org.example\nartifactId=inner\nversion=1.2.3\n"));
        yield return ("generated-nested.jar", ZipBytes(("META-INF/MANIFEST.MF", Encoding.UTF8.GetBytes("Manifest-Version: 1.0\nBundle-SymbolicName: outer\nBundle-Version: 2.0\n")),
            ("BOOT-INF/lib/inner-1.2.3.jar", inner)));
    }

    /// <summary>A minimal ELF64 file with a Go 1.18+ build-info blob and a cargo-auditable .dep-v0 section, both mapped by one PT_LOAD segment.</summary>
    public static IEnumerable<(string, byte[])> Elf(string corpus)
    {
        var modInfo = new string('0', 16) + "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:abc=\n" + "\n" + new string('1', 15);
        var buildInfo = new MemoryStream();
        buildInfo.Write("\xff Go buildinf:"u8);
        buildInfo.Write([8, 2]);
        buildInfo.Write(new byte[16]);
        foreach (var text in new[] { "go1.21.4", modInfo })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var length = (uint)bytes.Length; ; length >>= 7)
            {
                if (length < 0x80) { buildInfo.WriteByte((byte)length); break; }
                buildInfo.WriteByte((byte)(length | 0x80));
            }
            buildInfo.Write(bytes);
        }
        var dependencies = Zlib(Encoding.UTF8.GetBytes("""{"packages":[{"name":"app","version":"0.1.0","source":"local","root":true,"dependencies":[1]},{"name":"regex","version":"1.5.4","source":"crates.io"}]}"""));
        yield return ("generated-go-rust.elf", ElfWith((".go.buildinfo", buildInfo.ToArray()), (".dep-v0", dependencies)));
    }

    private static byte[] ElfWith(params (string Name, byte[] Data)[] sections)
    {
        var names = new MemoryStream();
        names.WriteByte(0);
        var nameOffsets = new List<int>();
        foreach (var name in sections.Select(s => s.Name).Append(".shstrtab"))
        {
            nameOffsets.Add((int)names.Length);
            names.Write(Encoding.ASCII.GetBytes(name + "\0"));
        }
        var body = new MemoryStream();
        body.Write(new byte[64 + 56]); // ELF header and one program header, filled in below
        var placed = new List<(int Offset, int Size)>();
        foreach (var data in sections.Select(s => s.Data).Append(names.ToArray()))
        {
            body.Write(new byte[(16 - body.Length % 16) % 16]);
            placed.Add(((int)body.Length, data.Length));
            body.Write(data);
        }
        body.Write(new byte[(8 - body.Length % 8) % 8]);
        var sectionTable = (int)body.Length;
        body.Write(new byte[64]); // the null section
        for (var i = 0; i < placed.Count; i++)
        {
            var s = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan(4), i == placed.Count - 1 ? 3u : 1u); // STRTAB or PROGBITS
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(8), i == placed.Count - 1 ? 0u : 3u); // WRITE | ALLOC
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(16), i == placed.Count - 1 ? 0u : 0x400000u + (uint)placed[i].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(24), (ulong)placed[i].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(32), (ulong)placed[i].Size);
            body.Write(s);
        }
        var elf = body.ToArray();
        "\x7F"u8.CopyTo(elf);
        "ELF"u8.CopyTo(elf.AsSpan(1));
        elf[4] = 2; elf[5] = 1; elf[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x10), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x12), 62); // x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(0x14), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x20), 64);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)sectionTable);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x34), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x36), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x38), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), (ushort)(placed.Count + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3E), (ushort)placed.Count);
        var load = elf.AsSpan(64);
        BinaryPrimitives.WriteUInt32LittleEndian(load, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(load[4..], 6); // R | W
        BinaryPrimitives.WriteUInt64LittleEndian(load[16..], 0x400000);
        BinaryPrimitives.WriteUInt64LittleEndian(load[32..], (ulong)elf.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(load[40..], (ulong)elf.Length);
        return elf;
    }

    private static byte[] Tar(Action<TarWriter> write, TarEntryFormat format = TarEntryFormat.Pax)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, format, leaveOpen: true)) write(writer);
        return output.ToArray();
    }

    private static void TarFile(TarWriter writer, string path, string content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    private static byte[] Zlib(byte[] data)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(data);
        return output.ToArray();
    }

    private static byte[] Zip(params (string Name, string Content)[] entries) => ZipBytes(entries.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Content))).ToArray());

    private static byte[] ZipBytes(params (string Name, byte[] Content)[] entries)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        return output.ToArray();
    }
}
