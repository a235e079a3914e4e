using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>
/// The smallest store that joins a unit of work the way the services' stores do: a table of notes in the service's SQLite file,
/// written through <see cref="SqliteDatabase.OpenForWriteAsync(SqliteUnitOfWork?, CancellationToken)"/>.
/// </summary>
public sealed class NotesStore : ITransactionalStore<NotesStore>
{
    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public NotesStore(SqliteDatabase database) : this(database, null) =>
        database.EnsureSchema("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);");

    private NotesStore(SqliteDatabase database, SqliteUnitOfWork? work)
    {
        _database = database;
        _work = work;
    }

    public NotesStore In(UnitOfWork work) => new(_database, _database.Join(work));

    public async Task AddAsync(string text, CancellationToken ct = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, ct);
        await using var transaction = write.BeginTransaction();
        await using (var command = write.Connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO notes (text) VALUES ($text);";
            command.Parameters.AddWithValue("$text", text);
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.CommandText = "SELECT text FROM notes ORDER BY id;";
        var notes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) notes.Add(reader.GetString(0));
        return notes;
    }
}
