using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Oracle;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Oracle;

/// <summary>
/// The bzip2 decoder against the reference implementation: Python's bz2 module (libbz2, the library the bzip2 tool is
/// built on) compresses, ours must give the exact bytes back; corrupted and truncated input must fail as invalid data.
/// </summary>
[TestFixture]
public sealed class BZip2DecoderStreamTests
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
        using var decoder = new BZip2DecoderStream(new MemoryStream(compressed));
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = decoder.Read(buffer, 0, buffer.Length)) > 0) output.Write(buffer, 0, n);
        return output.ToArray();
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
    public async Task Concatenated_streams_are_read_in_turn_and_trailing_garbage_ignored()
    {
        var a = Mixed(3000, 1);
        var b = Mixed(4000, 2);
        var both = (await CompressAsync(a)).Concat(await CompressAsync(b)).Concat("junk"u8.ToArray()).ToArray();
        Assert.That(Decompress(both), Is.EqualTo(a.Concat(b).ToArray()));
    }

    [Test]
    public async Task Every_truncation_fails_as_invalid_data()
    {
        var compressed = await CompressAsync(Mixed(3000, 3));
        for (var length = 0; length < compressed.Length; length++)
        {
            if (length == 0) { Assert.That(Decompress([]), Is.Empty); continue; }
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
    public void Not_bzip2_and_randomised_blocks_are_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Decompress("BZx9"u8.ToArray()), Throws.InstanceOf<InvalidDataException>());
            Assert.That(() => Decompress("BZh0"u8.ToArray()), Throws.InstanceOf<InvalidDataException>());
            // Block magic, a CRC, then the randomised bit set.
            Assert.That(() => Decompress([.. "BZh9"u8, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0, 0, 0, 0, 0x80, 0, 0, 0]),
                Throws.InstanceOf<InvalidDataException>().With.Message.Contains("randomised"));
        });
    }
}
