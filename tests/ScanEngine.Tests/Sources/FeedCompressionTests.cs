using System.Text;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>
/// Feed decompression (SharpZipLib's bzip2 decoder, as Oracle's OVAL is served) against the reference implementation: Python's
/// bz2 module (libbz2, the library the bzip2 tool is built on) compresses, the exact bytes must come back; corrupted and
/// truncated input must fail as invalid data, the one error the feed readers report as a damaged document.
/// </summary>
[TestFixture]
public sealed class FeedCompressionTests
{
    private static async Task<byte[]> CompressAsync(byte[] data, int level = 9)
    {
        var dir = Directory.CreateTempSubdirectory("bzip2-tests-");
        try
        {
            var input = Path.Combine(dir.FullName, "in");
            await File.WriteAllBytesAsync(input, data);
            await ProcessRunner.RunAsync("/usr/bin/python3",
                ["-c", "import bz2, sys; d = open(sys.argv[1], 'rb').read(); open(sys.argv[1] + '.bz2', 'wb').write(bz2.compress(d, int(sys.argv[2])))", input, level.ToString()]);
            return await File.ReadAllBytesAsync(input + ".bz2");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] Decompress(byte[] compressed, int readSize = 8192)
    {
        using var decoder = FeedCompression.Decompress(new MemoryStream(compressed), FeedCompressionKind.Bzip2);
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = decoder.Read(buffer, 0, buffer.Length)) > 0) output.Write(buffer, 0, n);
        return output.ToArray();
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            using var output = new MemoryStream();
            stream.CopyTo(output);
            return output.ToArray();
        }
    }

    /// <summary>Text, random bytes and long runs (bzip2's first-stage run-length coding: 4 bytes then a count).</summary>
    private static byte[] Mixed(int size, int seed)
    {
        var random = new Random(seed);
        var data = new List<byte>(size);
        var text = Encoding.UTF8.GetBytes("<red-def:evr datatype=\"evr_string\" operation=\"less than\">1:1.1.1k-12.el8_9</red-def:evr>\n");
        while (data.Count < size)
        {
            switch (random.Next(4))
            {
                case 0: data.AddRange(text); break;
                case 1: data.AddRange(Enumerable.Range(0, random.Next(1, 600)).Select(_ => (byte)random.Next(256))); break;
                case 2: data.AddRange(Enumerable.Repeat((byte)random.Next(256), random.Next(1, 1200))); break;
                default: data.AddRange(Enumerable.Repeat((byte)'a', random.Next(3, 6))); break;
            }
        }
        return data.Take(size).ToArray();
    }

    [TestCase(0, 9)]
    [TestCase(1, 9)]
    [TestCase(5000, 9)]
    [TestCase(250_000, 1)]   // three 100k blocks
    [TestCase(1_000_000, 9)] // two 900k blocks
    public async Task Decodes_what_libbz2_encodes(int size, int level)
    {
        var data = Mixed(size, seed: size);
        var compressed = await CompressAsync(data, level);
        Assert.That(Decompress(compressed), Is.EqualTo(data));
        Assert.That(Decompress(compressed, readSize: 7), Is.EqualTo(data), "output is produced on demand across small reads");
    }

    [Test]
    public async Task Long_runs_and_every_byte_value()
    {
        var data = Enumerable.Repeat((byte)'a', 100_000).Concat(Enumerable.Range(0, 256 * 20).Select(i => (byte)(i % 256)))
            .Concat(Enumerable.Repeat((byte)0, 4)).Concat(Enumerable.Repeat((byte)0xff, 259)).ToArray();
        Assert.That(Decompress(await CompressAsync(data)), Is.EqualTo(data));
    }

    [Test]
    public async Task Every_truncation_fails_as_invalid_data()
    {
        var compressed = await CompressAsync(Mixed(3000, 3));
        for (var length = 0; length < compressed.Length; length++)
        {
            var prefix = compressed[..length];
            Assert.That(() => Decompress(prefix), Throws.InstanceOf<InvalidDataException>(), $"prefix of {length} bytes");
        }
    }

    [Test]
    public async Task Corrupted_bytes_fail_as_invalid_data_or_decode_unchanged()
    {
        var data = Mixed(20_000, 4);
        var compressed = await CompressAsync(data);
        var random = new Random(5);
        var failures = 0;
        for (var i = 0; i < 400; i++)
        {
            var corrupt = (byte[])compressed.Clone();
            corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                // A flip in the last byte's padding bits changes nothing; anything else must be caught.
                Assert.That(Decompress(corrupt), Is.EqualTo(data), $"flip {i} decoded to other bytes");
            }
            catch (InvalidDataException)
            {
                failures++;
            }
        }
        Assert.That(failures, Is.GreaterThan(350));
    }

    [Test]
    public void A_bzip2_header_without_a_valid_stream_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Decompress("BZh0"u8.ToArray()), Throws.InstanceOf<InvalidDataException>());
            // Block magic, a CRC, then garbage.
            Assert.That(() => Decompress([.. "BZh9"u8, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0, 0, 0, 0, 0x80, 0, 0, 0]),
                Throws.InstanceOf<InvalidDataException>());
        });
    }

    [Test]
    public async Task Gzip_and_plain_content_are_told_apart_by_their_first_bytes()
    {
        var data = Mixed(10_000, 6);
        using var gzipped = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        Assert.Multiple(() =>
        {
            Assert.That(FeedCompression.Of(gzipped.ToArray()), Is.EqualTo(FeedCompressionKind.Gzip));
            Assert.That(ReadAll(FeedCompression.DecompressSniffed(new MemoryStream(gzipped.ToArray()))), Is.EqualTo(data));
            Assert.That(FeedCompression.Of("<?xml"u8), Is.EqualTo(FeedCompressionKind.None));
            Assert.That(ReadAll(FeedCompression.DecompressSniffed(new MemoryStream("<?xml version"u8.ToArray()))), Is.EqualTo("<?xml version"u8.ToArray()));
        });
    }
}
