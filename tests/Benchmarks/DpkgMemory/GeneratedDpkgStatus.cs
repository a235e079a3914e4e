using System.Formats.Tar;
using System.Text;

namespace ImageScanning.Benchmarks.DpkgMemory;

/// <summary>
/// The very large dpkg status the memory measurements read: 400,000 installed packages (56 MB), four binary packages per
/// source package, 700 distinct versions; as generated since the first measurement (docs/security.md), so figures compare.
/// </summary>
public static class GeneratedDpkgStatus
{
    public const int Packages = 400_000;

    public static byte[] Create(int packages = Packages)
    {
        var text = new StringBuilder();
        for (var i = 0; i < packages; i++)
            text.Append($"Package: pkg{i}\nStatus: install ok installed\nArchitecture: amd64\nSource: src{i / 4}\nVersion: 1.{i % 100}.{i % 7}-1\nDescription: generated package {i}\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>An uncompressed layer tar holding the status at var/lib/dpkg/status.</summary>
    public static void WriteLayer(string path, byte[] status)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var directory in new[] { "var/", "var/lib/", "var/lib/dpkg/" })
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory));
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "var/lib/dpkg/status") { DataStream = new MemoryStream(status) });
    }
}
