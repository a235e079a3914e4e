using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace ImageScanning.HostileInput.Tests;

/// <summary>Layer tars built in memory or streamed to a file, gzip-compressed as registries serve them.</summary>
public static class Layers
{
    public const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

    /// <summary>The corpus's Debian 12 dpkg status: 7 installed packages.</summary>
    public static string DebianStatus => File.ReadAllText(ImageScanning.TestSupport.Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));

    public static byte[] Gzip(Action<TarWriter> write, TarEntryFormat format = TarEntryFormat.Pax)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, format, leaveOpen: true))
            write(tar);
        return output.ToArray();
    }

    /// <summary>A gzip layer streamed to <paramref name="path"/>: for layers too large to hold in the test process.</summary>
    public static string GzipToFile(string path, Action<Stream> writeTar)
    {
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            writeTar(gzip);
        return path;
    }

    /// <summary>A Debian 12 base: os-release and the corpus status.</summary>
    public static byte[] DebianBase() => Gzip(tar =>
    {
        tar.WriteFile("etc/os-release", OsRelease);
        tar.WriteFile("var/lib/dpkg/status", DebianStatus);
    });

    public static void WriteFile(this TarWriter tar, string path, string content, TarEntryFormat format = TarEntryFormat.Pax) =>
        tar.WriteFile(path, Encoding.UTF8.GetBytes(content), format);

    public static void WriteFile(this TarWriter tar, string path, byte[] content, TarEntryFormat format = TarEntryFormat.Pax)
    {
        TarEntry entry = format == TarEntryFormat.Ustar ? new UstarTarEntry(TarEntryType.RegularFile, path) : new PaxTarEntry(TarEntryType.RegularFile, path);
        entry.DataStream = new MemoryStream(content);
        tar.WriteEntry(entry);
    }

    public static void WriteLink(this TarWriter tar, TarEntryType type, string path, string target) =>
        tar.WriteEntry(new PaxTarEntry(type, path) { LinkName = target });

    /// <summary>
    /// A raw 512-byte ustar header, written by hand because TarWriter computes the size from the data it is given and a
    /// hostile header's size does not match its data.
    /// </summary>
    public static byte[] RawHeader(string name, char type, long declaredSize)
    {
        var header = new byte[512];
        void Put(int at, int length, string value) => Encoding.ASCII.GetBytes(value).AsSpan(0, Math.Min(value.Length, length)).CopyTo(header.AsSpan(at));
        Put(0, 100, name);
        Put(100, 8, "0000644\0");
        Put(108, 8, "0000000\0");
        Put(116, 8, "0000000\0");
        Put(124, 12, Convert.ToString(declaredSize, 8).PadLeft(11, '0') + "\0");
        Put(136, 12, "00000000000\0");
        header[156] = (byte)type;
        Put(257, 6, "ustar\0");
        Put(263, 2, "00");
        for (var i = 148; i < 156; i++) header[i] = (byte)' ';
        var sum = header.Sum(b => b);
        Put(148, 8, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        return header;
    }

    /// <summary>
    /// Headers of empty regular files from one template, each differing only in its name and checksum: TarWriter takes
    /// seconds for a million entries, this a fraction of one.
    /// </summary>
    public sealed class HeaderWriter
    {
        private readonly byte[] _template = RawHeader("", '0', 0);
        private readonly byte[] _header = new byte[512];
        private readonly int _baseSum;

        public HeaderWriter()
        {
            for (var i = 148; i < 156; i++) _template[i] = (byte)' ';
            _baseSum = _template.Sum(b => b);
        }

        public ReadOnlySpan<byte> Empty(string name)
        {
            _template.CopyTo(_header, 0);
            var length = Encoding.ASCII.GetBytes(name, _header.AsSpan(0, 100));
            var sum = _baseSum;
            for (var i = 0; i < length; i++) sum += _header[i];
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ", _header.AsSpan(148));
            return _header;
        }
    }
}
