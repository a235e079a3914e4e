namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>The three on-disk formats of rpm's package database.</summary>
public enum RpmDatabaseFormat
{
    /// <summary>SQLite <c>rpmdb.sqlite</c> (rpm ≥ 4.16: Fedora 33+, RHEL 9, CBL-Mariner 2, Azure Linux).</summary>
    Sqlite,

    /// <summary>Berkeley DB hash <c>Packages</c> (RHEL ≤ 8, CentOS, Amazon Linux 2).</summary>
    BerkeleyDb,

    /// <summary>rpm's own "ndb" <c>Packages.db</c> (SUSE 15, openSUSE).</summary>
    Ndb,
}

/// <summary>
/// Reads the package headers out of an rpm database held in memory, whatever its format (recognised by
/// its magic bytes, not its name). Malformed or hostile content gives an <see cref="InvalidDataException"/>
/// naming what is wrong; every walk over pages or slots is bounded by the size of the content.
/// </summary>
public static class RpmDatabase
{
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    public static RpmDatabaseFormat? DetectFormat(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(SqliteMagic)) return RpmDatabaseFormat.Sqlite;
        if (NdbRpmDatabase.HasMagic(content)) return RpmDatabaseFormat.Ndb;
        if (BerkeleyRpmDatabase.HasMagic(content)) return RpmDatabaseFormat.BerkeleyDb;
        return null;
    }

    /// <summary>The raw header blobs, in database order.</summary>
    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return DetectFormat(content) switch
        {
            RpmDatabaseFormat.Sqlite => SqliteRpmDatabase.ReadHeaderBlobs(content),
            RpmDatabaseFormat.Ndb => NdbRpmDatabase.ReadHeaderBlobs(content),
            RpmDatabaseFormat.BerkeleyDb => BerkeleyRpmDatabase.ReadHeaderBlobs(content),
            _ => throw new InvalidDataException("not an rpm database: no SQLite, ndb or Berkeley DB hash magic"),
        };
    }

    /// <summary>Every header of the database, gpg-pubkey entries included (as <c>rpm -qa</c> lists them).</summary>
    public static IReadOnlyList<RpmHeader> ReadHeaders(byte[] content) =>
        ReadHeaderBlobs(content).Select(blob => RpmHeaderParser.Parse(blob)).ToList();
}
