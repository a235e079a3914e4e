using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.CveFeed.Importing;

/// <summary>
/// The NewCveAdded announcements of the advisory database. For every stored batch, one per advisory whose affected packages are
/// new or changed and that is not withdrawn goes into the "advisories" outbox in the batch's own transaction: an import that dies
/// part-way leaves every stored change announced, and nothing announced that was not stored. Once the batch commits the rows go
/// to the dispatcher at once (a crash before that: the dispatcher's poll finds them).
/// The message id is a hash of the advisory id, its modified time and its affected data, so announcing the same change again
/// carries the same id and the router's inbox skips it.
/// </summary>
public sealed class AdvisoryAnnouncements(IServiceDatabase database, OutboxChannel dispatcher, TimeProvider clock) : IAdvisoryWriteHook
{
    public Task StoringAsync(IReadOnlyList<AdvisoryWrite> writes, AdvisoryWriteTransaction transaction, CancellationToken ct)
    {
        var messages = MessagesFor(writes);
        if (messages.Count == 0) return Task.CompletedTask;
        return transaction switch
        {
            // The connection is inside the batch's transaction: its commands join it.
            SqliteAdvisoryWriteTransaction sqlite => SqliteOutboxStore.InsertAsync(sqlite.Connection, messages, ct),
            MongoAdvisoryWriteTransaction mongo => MongoOutboxStore.InsertAsync(mongo.Database, mongo.Session, messages, ct),
            _ => throw new NotSupportedException($"No outbox for a {transaction.GetType().Name}."),
        };
    }

    /// <summary>The same messages again (ids and bodies are functions of the writes), handed to the dispatcher now the rows are committed.</summary>
    public void Committed(IReadOnlyList<AdvisoryWrite> writes)
    {
        var messages = MessagesFor(writes);
        if (messages.Count > 0) dispatcher.Committed(database, messages);
    }

    private List<OutboxMessage> MessagesFor(IReadOnlyList<AdvisoryWrite> writes)
    {
        var now = clock.GetUtcNow();
        return Announced(writes).Select(w => OutboxMessage.For(ToEvent(w.Advisory), null, now, MessageIdOf(w.Advisory, w.AffectedHash))).ToList();
    }

    /// <summary>
    /// The writes a batch announces: per advisory id its last change of affected data (a record stored twice in one batch is
    /// announced as it ends up), unless that change withdrew it. In the order the ids first changed.
    /// </summary>
    public static IReadOnlyList<AdvisoryWrite> Announced(IReadOnlyList<AdvisoryWrite> writes)
    {
        var last = new OrderedDictionary<string, AdvisoryWrite>(StringComparer.Ordinal);
        foreach (var write in writes.Where(w => w.Result.AffectedDataChanged)) last[write.Result.Id] = write;
        return last.Values.Where(w => !w.Result.IsWithdrawn).ToList();
    }

    /// <summary>A name-based id (RFC 9562 version 8, from SHA-256) of one state of one advisory's affected data.</summary>
    public static Guid MessageIdOf(OsvAdvisory advisory, string affectedHash)
    {
        var name = string.Join('\n', nameof(NewCveAdded), advisory.Id,
            advisory.Modified?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "", affectedHash);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }

    public static NewCveAdded ToEvent(OsvAdvisory advisory) => new(
        advisory.Id,
        advisory.Aliases,
        advisory.Affected.Where(a => a.Package is not null)
            .Select(a => new AffectedPackageRef(a.Package!.Ecosystem, a.Package.Name)).Distinct().ToList(),
        advisory.Modified);
}
