using System.IO.Compression;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Java;

/// <summary>Builds real zip archives in memory for the Java finder tests.</summary>
internal static class TestArchives
{
    public static byte[] Zip(params (string Name, byte[] Content)[] entries) => Zip(CompressionLevel.Optimal, entries);

    public static byte[] Zip(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        return memory.ToArray();
    }

    public static (string, byte[]) Text(string name, string text) => (name, Encoding.UTF8.GetBytes(text));

    public static (string, byte[]) PomProperties(string groupId, string artifactId, string version) =>
        Text($"META-INF/maven/{groupId}/{artifactId}/pom.properties",
            $"#Created by Apache Maven 3.8.1\nversion={version}\ngroupId={groupId}\nartifactId={artifactId}\n");

    /// <summary>A jar as Maven builds it: a manifest and one pom.properties.</summary>
    public static byte[] Jar(string groupId, string artifactId, string version, params (string Name, byte[] Content)[] more) =>
        Jar(CompressionLevel.Optimal, groupId, artifactId, version, more);

    /// <summary>With <see cref="CompressionLevel.NoCompression"/>, a jar whose size is that of its content.</summary>
    public static byte[] Jar(CompressionLevel level, string groupId, string artifactId, string version, params (string Name, byte[] Content)[] more) =>
        Zip(level, [Text("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: Maven JAR Plugin 3.2.0\r\n\r\n"),
            PomProperties(groupId, artifactId, version), .. more]);

    /// <summary>
    /// Rewrites the uncompressed size of every entry named <paramref name="name"/> in the local headers and the central
    /// directory, so the archive declares less than its data inflates to (a zip bomb's lie).
    /// </summary>
    public static byte[] DeclareUncompressedSize(byte[] zip, string name, uint size)
    {
        var bytes = (byte[])zip.Clone();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BitConverter.ToUInt32(bytes, i);
            if (signature == 0x04034b50 && Matches(bytes, i + 30, nameBytes, BitConverter.ToUInt16(bytes, i + 26)))
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 22, 4), size);
            else if (signature == 0x02014b50 && Matches(bytes, i + 46, nameBytes, BitConverter.ToUInt16(bytes, i + 28)))
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 24, 4), size);
        }
        return bytes;
    }

    private static bool Matches(byte[] bytes, int offset, byte[] name, int length) =>
        length == name.Length && offset + length <= bytes.Length && bytes.AsSpan(offset, length).SequenceEqual(name);
}
