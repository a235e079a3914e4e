using System.Collections.Concurrent;
using System.Reflection;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// A MongoDB database with no server behind it: every command a store issues through the real driver API is rendered by the
/// driver's own serializers (the same rendering the wire protocol sends) and recorded; reads answer with documents a test queued
/// (<see cref="Reply"/>) and writes with an acknowledgement. It cannot tell whether the server would accept a command — only
/// what was sent. docs/mongodb.md says what that does and does not prove.
/// </summary>
public sealed class RecordingMongo
{
    public static readonly JsonWriterSettings Json = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    private readonly ConcurrentQueue<MongoOperation> _operations = new();
    private readonly ConcurrentQueue<DeclaredIndex> _indexes = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<BsonDocument>> _written = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<IReadOnlyList<BsonDocument>>> _replies = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _matched = new();
    private int _transactions;

    public RecordingMongo(string databaseName = "offline")
    {
        Namespace = new DatabaseNamespace(databaseName);
        Client = RecordingClient.Create(this);
        Database = RecordingDatabase.Create(this);
    }

    public DatabaseNamespace Namespace { get; }

    public IMongoClient Client { get; }

    public IMongoDatabase Database { get; }

    public IReadOnlyList<MongoOperation> Operations => _operations.ToList();

    /// <summary>Every index the stores declared since this database was made (kept by <see cref="Take"/>).</summary>
    public IReadOnlyList<DeclaredIndex> Indexes => _indexes.ToList();

    /// <summary>Collections created explicitly (createCollection).</summary>
    internal List<string> Created { get; } = [];

    /// <summary>The documents the next read of <paramref name="collection"/> (find, aggregate, find-and-modify) returns.</summary>
    public RecordingMongo Reply(string collection, params BsonDocument[] documents)
    {
        _replies.GetOrAdd(collection, _ => new()).Enqueue(documents);
        return this;
    }

    /// <summary>The matched count the next update or replace of <paramref name="collection"/> reports (default 1).</summary>
    public RecordingMongo Matches(string collection, long matched)
    {
        _matched.GetOrAdd(collection, _ => new()).Enqueue(matched);
        return this;
    }

    /// <summary>The operations recorded so far, forgotten here (the declared indexes are kept).</summary>
    public IReadOnlyList<MongoOperation> Take()
    {
        var taken = new List<MongoOperation>();
        while (_operations.TryDequeue(out var op)) taken.Add(op);
        return taken;
    }

    internal void Record(string collection, string command, IClientSessionHandle? session, BsonDocument parts)
    {
        _operations.Enqueue(new MongoOperation(collection, command, (session as ITransactionId)?.CurrentTransaction, parts));
        if (Written(command, parts) is { } written) _written.GetOrAdd(collection, _ => new()).Enqueue(written);
        if (command == "createIndexes")
            _indexes.Enqueue(new DeclaredIndex(collection, parts["key"].AsBsonDocument.Names.ToList(), parts.GetValue("unique", false).ToBoolean(),
                parts.TryGetValue("partialFilterExpression", out var partial) ? partial.AsBsonDocument : null));
    }

    /// <summary>
    /// The documents written to <paramref name="collection"/> so far, in order, as the server would store them: an insert's or a
    /// replacement's document; for an update or find-and-modify, its filter's equality fields with $setOnInsert and $set applied. Queue one back with
    /// <see cref="Reply"/> to read what the store wrote through its own read path.
    /// </summary>
    public IReadOnlyList<BsonDocument> WrittenTo(string collection) =>
        _written.TryGetValue(collection, out var documents) ? documents.ToList() : [];

    private static BsonDocument? Written(string command, BsonDocument parts)
    {
        if (command == "insert") return parts["document"].AsBsonDocument;
        if (command is not ("update" or "findAndModify")) return null;
        if (parts.TryGetValue("replacement", out var replacement)) return replacement.AsBsonDocument;
        if (!parts.TryGetValue("update", out var changes) || !changes.IsBsonDocument) return null;
        var document = new BsonDocument();
        foreach (var field in parts.GetValue("filter", parts.GetValue("query", new BsonDocument())).AsBsonDocument)
            if (!field.Name.StartsWith('$') && !(field.Value.IsBsonDocument && field.Value.AsBsonDocument.Names.Any(n => n.StartsWith('$'))))
                document[field.Name] = field.Value;
        var update = parts["update"].AsBsonDocument;
        foreach (var op in new[] { "$setOnInsert", "$set" })
            if (update.TryGetValue(op, out var fields))
                foreach (var field in fields.AsBsonDocument) document[field.Name] = field.Value;
        return document;
    }

    internal IReadOnlyList<BsonDocument> NextReply(string collection) =>
        _replies.TryGetValue(collection, out var queue) && queue.TryDequeue(out var documents) ? documents : [];

    internal long NextMatched(string collection) =>
        _matched.TryGetValue(collection, out var queue) && queue.TryDequeue(out var matched) ? matched : 1;

    internal int NewTransaction() => Interlocked.Increment(ref _transactions);

    /// <summary>Wraps a value as the return type of <paramref name="method"/>: Task&lt;T&gt;, Task or T.</summary>
    internal static object? Return(MethodInfo method, object? value)
    {
        var type = method.ReturnType;
        if (type == typeof(Task)) return Task.CompletedTask;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
            return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [value]);
        return value;
    }

    internal static Exception Unsupported(MethodInfo method) =>
        new NotSupportedException($"The recording MongoDB does not implement {method.DeclaringType?.Name}.{method.Name}: add it to tests/MongoOffline.Tests/Recording.");
}

/// <summary>The session's current transaction number, if one is open.</summary>
internal interface ITransactionId
{
    int? CurrentTransaction { get; }
}

/// <summary>The client: sessions and the one database.</summary>
public class RecordingClient : DispatchProxy
{
    private RecordingMongo _mongo = null!;

    internal static IMongoClient Create(RecordingMongo mongo)
    {
        var client = DispatchProxy.Create<IMongoClient, RecordingClient>();
        ((RecordingClient)(object)client)._mongo = mongo;
        return client;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.Name switch
        {
            "StartSession" or "StartSessionAsync" => RecordingMongo.Return(method, RecordingSession.Create(_mongo, (IMongoClient)(object)this)),
            "GetDatabase" => _mongo.Database,
            _ => throw RecordingMongo.Unsupported(method),
        };
    }
}

/// <summary>The database: its collections are recording collections of the requested document type.</summary>
public class RecordingDatabase : DispatchProxy
{
    private RecordingMongo _mongo = null!;

    internal static IMongoDatabase Create(RecordingMongo mongo)
    {
        var database = DispatchProxy.Create<IMongoDatabase, RecordingDatabase>();
        ((RecordingDatabase)(object)database)._mongo = mongo;
        return database;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.Name switch
        {
            "get_Client" => _mongo.Client,
            "get_DatabaseNamespace" => _mongo.Namespace,
            "get_Settings" => new MongoDatabaseSettings(),
            "ListCollectionNames" or "ListCollectionNamesAsync" => ListCollectionNames(method, args ?? []),
            "CreateCollection" or "CreateCollectionAsync" => CreateCollection(method, args ?? []),
            "GetCollection" => typeof(RecordingCollection<>).MakeGenericType(method.GetGenericArguments()[0])
                .GetMethod(nameof(RecordingCollection<BsonDocument>.Create), BindingFlags.NonPublic | BindingFlags.Static)!
                .Invoke(null, [_mongo, (string)args![0]!, null]),
            _ => throw RecordingMongo.Unsupported(method),
        };
    }

    /// <summary>The collections created so far (a real server lists every collection that has documents too; stores ask by name).</summary>
    private object? ListCollectionNames(MethodInfo method, object?[] args)
    {
        var session = args.OfType<IClientSessionHandle>().FirstOrDefault();
        var options = args.OfType<ListCollectionNamesOptions>().FirstOrDefault();
        var filter = options?.Filter?.Render(new RenderArgs<BsonDocument>(MongoDB.Bson.Serialization.Serializers.BsonDocumentSerializer.Instance,
            MongoDB.Bson.Serialization.BsonSerializer.SerializerRegistry));
        _mongo.Record("", "listCollections", session, new BsonDocument { ["filter"] = (BsonValue?)filter ?? BsonNull.Value });
        IAsyncCursor<string> cursor = new ListCursor<string>(_mongo.Created);
        return RecordingMongo.Return(method, cursor);
    }

    private object? CreateCollection(MethodInfo method, object?[] args)
    {
        var session = args.OfType<IClientSessionHandle>().FirstOrDefault();
        var name = args.OfType<string>().First();
        _mongo.Record(name, "create", session, []);
        _mongo.Created.Add(name);
        return RecordingMongo.Return(method, null);
    }
}
