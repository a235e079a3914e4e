using System.Buffers.Binary;
using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Rpm;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>
/// Damaged and hostile databases: the readers must either read them or fail with an
/// <see cref="InvalidDataException"/> that says what is wrong — never another exception, a crash or a hang.
/// </summary>
[TestFixture]
public sealed class RpmHostileInputTests
{
    private static IEnumerable<TestCaseData> Databases()
    {
        yield return new TestCaseData(RpmDatabaseTests.Libuuid).SetName("Berkeley DB");
        yield return new TestCaseData(RpmDatabaseTests.Sle15).SetName("ndb");
        yield return new TestCaseData(RpmDatabaseTests.Mariner).SetName("SQLite");
    }

    /// <summary>Reads, and returns the error message when the reader refused the content.</summary>
    private static string? ReadOrRefuse(byte[] content)
    {
        try
        {
            _ = RpmDatabase.ReadHeaders(content);
            return null;
        }
        catch (InvalidDataException e)
        {
            Assert.That(e.Message, Is.Not.Empty);
            return e.Message;
        }
    }

    [TestCaseSource(nameof(Databases))]
    [CancelAfter(60_000)]
    public void Truncated_databases_are_refused_or_read(string path)
    {
        var content = File.ReadAllBytes(path);
        var refused = 0;
        foreach (var length in new[] { 16, 100, 511, 512, 4095, 4096, 4097, 8192, 20_000, content.Length / 2, content.Length - 1 })
            if (length < content.Length && ReadOrRefuse(content[..length]) is not null) refused++;
        Assert.That(refused, Is.GreaterThan(0), "some truncations must be detected");
    }

    [TestCaseSource(nameof(Databases))]
    [CancelAfter(60_000)]
    public void Randomly_damaged_databases_are_refused_or_read(string path)
    {
        var original = File.ReadAllBytes(path);
        var random = new Random(5);
        var rounds = original.Length > 1_000_000 ? 40 : 200;
        for (var round = 0; round < rounds; round++)
        {
            var content = (byte[])original.Clone();
            for (var flips = random.Next(1, 20); flips > 0; flips--)
                content[random.Next(content.Length)] = (byte)random.Next(256);
            _ = ReadOrRefuse(content);
        }
        Assert.That(ReadOrRefuse(original), Is.Null, "the undamaged database still reads");
    }

    [Test]
    public void A_cyclic_Berkeley_DB_overflow_chain_is_refused_not_followed_forever()
    {
        var content = File.ReadAllBytes(RpmDatabaseTests.Libuuid);
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(20));
        var linked = 0;
        for (var page = 1; page < content.Length / pageSize; page++)
        {
            var start = page * pageSize;
            if (content[start + 25] != 7) continue; // overflow page
            // Point the chain back to its own page: a loop.
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(start + 16), (uint)page);
            BinaryPrimitives.WriteUInt16LittleEndian(content.AsSpan(start + 22), 1);
            linked++;
        }
        Assert.That(linked, Is.GreaterThan(0));
        Assert.That(ReadOrRefuse(content), Does.Contain("overflow"));
    }

    [Test]
    public void An_ndb_header_claiming_more_slot_pages_than_the_file_has_is_refused()
    {
        var content = File.ReadAllBytes(RpmDatabaseTests.Sle15);
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(12), 0x7fffffff);
        Assert.That(ReadOrRefuse(content), Does.Contain("slot pages"));
    }

    [Test]
    public void A_file_with_SQLite_magic_but_no_database_is_refused()
    {
        var content = Encoding.ASCII.GetBytes("SQLite format 3\0" + new string('x', 5000));
        Assert.That(ReadOrRefuse(content), Does.Contain("SQLite"));
        Assert.That(ReadOrRefuse("not a database at all"u8.ToArray()), Does.Contain("not an rpm database"));
    }

    [Test]
    public void Header_blobs_pointing_outside_themselves_are_refused()
    {
        // One NAME entry (tag 1000, type STRING) pointing 1000 bytes past a 4-byte data store.
        var blob = new byte[8 + 16 + 4];
        BinaryPrimitives.WriteInt32BigEndian(blob, 1);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4), 4);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(8), 1000);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(12), 6);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(16), 1000);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(20), 1);
        Assert.That(() => RpmHeaderParser.Parse(blob), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("outside"));

        var huge = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(huge, int.MaxValue);
        Assert.That(() => RpmHeaderParser.Parse(huge), Throws.InstanceOf<InvalidDataException>());
        Assert.That(() => RpmHeaderParser.Parse([1, 2]), Throws.InstanceOf<InvalidDataException>());
    }

    [TestCase("bash-4.4-19.6.1.src.rpm", "bash", "4.4-19.6.1")]
    [TestCase("gcc11-11.2.1+git610-1.3.9.src.rpm", "gcc11", "11.2.1+git610-1.3.9")]
    [TestCase("util-linux-2.32.1-42.el8_8.src.rpm", "util-linux", "2.32.1-42.el8_8")]
    [TestCase("kernel-5.14.0-362.8.1.el9_3.nosrc.rpm", "kernel", "5.14.0-362.8.1.el9_3")]
    [TestCase("odd.src.rpm", "odd", null)]
    public void Source_package_name_and_version_from_the_SRPM_file_name(string srpm, string name, string? versionRelease)
    {
        Assert.That((RpmHeaderParser.SourceNameOf(srpm), RpmHeaderParser.SourceVersionReleaseOf(srpm)), Is.EqualTo((name, versionRelease)));
    }
}
