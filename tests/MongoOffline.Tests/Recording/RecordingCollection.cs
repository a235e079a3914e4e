using System.Reflection;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// A collection of <typeparamref name="T"/>: each call is rendered with the collection's document serializer and the driver's
/// serializer registry (as the driver renders it for the wire), then recorded. Index builds: <see cref="RecordingIndexes{T}"/>.
/// </summary>
public class RecordingCollection<T> : DispatchProxy
{
    private RecordingMongo _mongo = null!;
    private string _name = null!;
    private WriteConcern? _writeConcern;

    internal static IMongoCollection<T> Create(RecordingMongo mongo, string name, WriteConcern? writeConcern)
    {
        var collection = DispatchProxy.Create<IMongoCollection<T>, RecordingCollection<T>>();
        var recording = (RecordingCollection<T>)(object)collection;
        recording._mongo = mongo;
        recording._name = name;
        recording._writeConcern = writeConcern;
        return collection;
    }

    internal static IBsonSerializer<T> Serializer => BsonSerializer.LookupSerializer<T>();

    internal static RenderArgs<T> Args => new(Serializer, BsonSerializer.SerializerRegistry);

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        args ??= [];
        var session = args.OfType<IClientSessionHandle>().FirstOrDefault();
        var a = session is null ? args : args.Skip(1).ToArray();
        switch (method.Name)
        {
            case "get_CollectionNamespace": return new CollectionNamespace(_mongo.Namespace, _name);
            case "get_Database": return _mongo.Database;
            case "get_DocumentSerializer": return Serializer;
            case "get_Settings": return new MongoCollectionSettings { WriteConcern = _writeConcern ?? WriteConcern.Acknowledged };
            case "get_Indexes": return RecordingIndexes<T>.Create(_mongo, _name);
            case "WithWriteConcern": return Create(_mongo, _name, (WriteConcern)a[0]!);
            case "FindAsync" or "FindSync":
                return Generic(nameof(Find), method).Invoke(this, [method, session, a[0], a[1]]);
            case "AggregateAsync" or "Aggregate":
                return Generic(nameof(Aggregate), method).Invoke(this, [method, session, a[0]]);
            case "DistinctAsync" or "Distinct":
                return Generic(nameof(Distinct), method).Invoke(this, [method, session, a[0], a[1]]);
            case "FindOneAndUpdateAsync" or "FindOneAndUpdate" or "FindOneAndReplaceAsync" or "FindOneAndReplace"
                or "FindOneAndDeleteAsync" or "FindOneAndDelete":
                return Generic(nameof(FindAndModify), method).Invoke(this, [method, session, a]);
            case "CountDocumentsAsync" or "CountDocuments":
                Record("count", session, new BsonDocument { ["filter"] = RenderFilter(a[0]) }.Merge(Options(a.ElementAtOrDefault(1) as CountOptions)));
                return RecordingMongo.Return(method, Count());
            case "EstimatedDocumentCountAsync" or "EstimatedDocumentCount":
                Record("estimatedDocumentCount", session, []);
                return RecordingMongo.Return(method, Count());
            case "InsertOneAsync" or "InsertOne":
                Write(session, new InsertOneModel<T>((T)a[0]!));
                return RecordingMongo.Return(method, null);
            case "InsertManyAsync" or "InsertMany":
                foreach (var document in (IEnumerable<T>)a[0]!) Write(session, new InsertOneModel<T>(document));
                return RecordingMongo.Return(method, null);
            case "ReplaceOneAsync" or "ReplaceOne":
            {
                var upsert = a[2] switch { ReplaceOptions r => r.IsUpsert, UpdateOptions u => u.IsUpsert, _ => false };
                var matched = Write(session, new ReplaceOneModel<T>((FilterDefinition<T>)a[0]!, (T)a[1]!) { IsUpsert = upsert });
                return RecordingMongo.Return(method, new ReplaceOneResult.Acknowledged(matched, matched, null));
            }
            case "UpdateOneAsync" or "UpdateOne" or "UpdateManyAsync" or "UpdateMany":
            {
                var upsert = (a.ElementAtOrDefault(2) as UpdateOptions)?.IsUpsert ?? false;
                WriteModel<T> model = method.Name.StartsWith("UpdateOne", StringComparison.Ordinal)
                    ? new UpdateOneModel<T>((FilterDefinition<T>)a[0]!, (UpdateDefinition<T>)a[1]!) { IsUpsert = upsert }
                    : new UpdateManyModel<T>((FilterDefinition<T>)a[0]!, (UpdateDefinition<T>)a[1]!) { IsUpsert = upsert };
                var matched = Write(session, model);
                return RecordingMongo.Return(method, new UpdateResult.Acknowledged(matched, matched, null));
            }
            case "DeleteOneAsync" or "DeleteOne" or "DeleteManyAsync" or "DeleteMany":
            {
                WriteModel<T> model = method.Name.StartsWith("DeleteOne", StringComparison.Ordinal)
                    ? new DeleteOneModel<T>((FilterDefinition<T>)a[0]!)
                    : new DeleteManyModel<T>((FilterDefinition<T>)a[0]!);
                return RecordingMongo.Return(method, new DeleteResult.Acknowledged(Write(session, model)));
            }
            case "BulkWriteAsync" or "BulkWrite":
            {
                var models = ((IEnumerable<WriteModel<T>>)a[0]!).ToList();
                var ordered = (a.ElementAtOrDefault(1) as BulkWriteOptions)?.IsOrdered ?? true;
                long matched = 0;
                foreach (var model in models) matched += Write(session, model, ordered ? "ordered" : "unordered");
                return RecordingMongo.Return(method, new BulkWriteResult<T>.Acknowledged(models.Count, matched, 0, 0, matched, models, []));
            }
            default: throw RecordingMongo.Unsupported(method);
        }
    }

    private static MethodInfo Generic(string name, MethodInfo called) =>
        typeof(RecordingCollection<T>).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(called.GetGenericArguments());

    private object? Find<TProjection>(MethodInfo method, IClientSessionHandle? session, FilterDefinition<T> filter, FindOptions<T, TProjection>? options)
    {
        var parts = new BsonDocument { ["filter"] = filter.Render(Args) };
        IBsonSerializer<TProjection>? serializer = Serializer as IBsonSerializer<TProjection>;
        if (options?.Sort is { } sort) parts["sort"] = sort.Render(Args);
        if (options?.Projection is { } projection)
        {
            var rendered = projection.Render(Args);
            if (rendered.Document is not null) parts["projection"] = rendered.Document;
            serializer = rendered.ProjectionSerializer;
        }
        if (options?.Skip is { } skip) parts["skip"] = skip;
        if (options?.Limit is { } limit) parts["limit"] = limit;
        Record("find", session, parts);
        var cursor = new ListCursor<TProjection>(_mongo.NextReply(_name).Select(d => Deserialize(serializer!, d)).ToList());
        return RecordingMongo.Return(method, cursor);
    }

    private object? Aggregate<TResult>(MethodInfo method, IClientSessionHandle? session, PipelineDefinition<T, TResult> pipeline)
    {
        var rendered = pipeline.Render(Args);
        Record("aggregate", session, new BsonDocument { ["pipeline"] = new BsonArray(rendered.Documents) });
        var cursor = new ListCursor<TResult>(_mongo.NextReply(_name).Select(d => Deserialize(rendered.OutputSerializer, d)).ToList());
        return RecordingMongo.Return(method, cursor);
    }

    private object? Distinct<TField>(MethodInfo method, IClientSessionHandle? session, FieldDefinition<T, TField> field, FilterDefinition<T> filter)
    {
        var rendered = field.Render(Args);
        Record("distinct", session, new BsonDocument { ["key"] = rendered.FieldName, ["filter"] = filter.Render(Args) });
        var values = _mongo.NextReply(_name).Select(d => (TField)BsonTypeMapper.MapToDotNetValue(d["value"])).ToList();
        return RecordingMongo.Return(method, new ListCursor<TField>(values));
    }

    private object? FindAndModify<TProjection>(MethodInfo method, IClientSessionHandle? session, object?[] a)
    {
        var parts = new BsonDocument { ["query"] = ((FilterDefinition<T>)a[0]!).Render(Args) };
        IBsonSerializer<TProjection>? serializer = Serializer as IBsonSerializer<TProjection>;
        switch (a.ElementAtOrDefault(1))
        {
            case UpdateDefinition<T> update: parts["update"] = update.Render(Args); break;
            case T replacement: parts["update"] = ToDocument(replacement); break;
        }
        foreach (var option in a.OfType<object>().Where(o => o.GetType().Name.StartsWith("FindOneAnd", StringComparison.Ordinal)))
        {
            if (option.GetType().GetProperty("IsUpsert")?.GetValue(option) is true) parts["upsert"] = true;
            if (option.GetType().GetProperty("ReturnDocument")?.GetValue(option) is ReturnDocument returned) parts["new"] = returned == ReturnDocument.After;
            if (option.GetType().GetProperty("Sort")?.GetValue(option) is SortDefinition<T> sort) parts["sort"] = sort.Render(Args);
            if (option.GetType().GetProperty("Projection")?.GetValue(option) is ProjectionDefinition<T, TProjection> projection)
            {
                var rendered = projection.Render(Args);
                if (rendered.Document is not null) parts["fields"] = rendered.Document;
                serializer = rendered.ProjectionSerializer;
            }
        }
        Record(method.Name.Contains("Delete", StringComparison.Ordinal) ? "findAndModify(remove)" : "findAndModify", session, parts);
        var reply = _mongo.NextReply(_name).FirstOrDefault();
        return RecordingMongo.Return(method, reply is null ? default : Deserialize(serializer!, reply));
    }

    /// <summary>Records one write; returns the matched (or deleted) count the test queued, 1 by default.</summary>
    private long Write(IClientSessionHandle? session, WriteModel<T> model, string? bulk = null)
    {
        var parts = new BsonDocument();
        string command;
        switch (model)
        {
            case InsertOneModel<T> insert: command = "insert"; parts["document"] = ToDocument(insert.Document); break;
            case ReplaceOneModel<T> replace:
                command = "update"; parts["filter"] = replace.Filter.Render(Args); parts["replacement"] = ToDocument(replace.Replacement);
                if (replace.IsUpsert) parts["upsert"] = true;
                break;
            case UpdateOneModel<T> update:
                command = "update"; parts["filter"] = update.Filter.Render(Args); parts["update"] = update.Update.Render(Args);
                if (update.IsUpsert) parts["upsert"] = true;
                break;
            case UpdateManyModel<T> update:
                command = "update"; parts["filter"] = update.Filter.Render(Args); parts["update"] = update.Update.Render(Args); parts["multi"] = true;
                if (update.IsUpsert) parts["upsert"] = true;
                break;
            case DeleteOneModel<T> delete: command = "delete"; parts["filter"] = delete.Filter.Render(Args); parts["limit"] = 1; break;
            case DeleteManyModel<T> delete: command = "delete"; parts["filter"] = delete.Filter.Render(Args); parts["limit"] = 0; break;
            default: throw new NotSupportedException($"Write model {model.GetType().Name}");
        }
        if (bulk is not null) parts["bulk"] = bulk;
        if (_writeConcern is not null && session?.IsInTransaction != true) parts["writeConcern"] = _writeConcern.ToBsonDocument();
        Record(command, session, parts);
        return command == "insert" ? 1 : _mongo.NextMatched(_name);
    }

    private long Count() => _mongo.NextReply(_name).FirstOrDefault()?["n"].ToInt64() ?? 0;

    private void Record(string command, IClientSessionHandle? session, BsonDocument parts) => _mongo.Record(_name, command, session, parts);

    private static BsonDocument RenderFilter(object? filter) => ((FilterDefinition<T>)filter!).Render(Args);

    private static BsonDocument Options(CountOptions? options) =>
        options is null ? [] : new BsonDocument { ["limit"] = options.Limit is { } l ? l : BsonNull.Value, ["skip"] = options.Skip is { } s ? s : BsonNull.Value };

    /// <summary>The document as the driver serializes it for the wire (its class map, attributes and conventions).</summary>
    internal static BsonDocument ToDocument(T value)
    {
        var document = new BsonDocument();
        using var writer = new BsonDocumentWriter(document);
        Serializer.Serialize(BsonSerializationContext.CreateRoot(writer), value);
        return document;
    }

    private static TValue Deserialize<TValue>(IBsonSerializer<TValue> serializer, BsonDocument document)
    {
        using var reader = new BsonDocumentReader(document);
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }
}

/// <summary>A cursor over the documents a test queued: one batch.</summary>
internal sealed class ListCursor<T>(IReadOnlyList<T> items) : IAsyncCursor<T>
{
    private bool _moved;

    public IEnumerable<T> Current => _moved ? items : throw new InvalidOperationException("MoveNext first.");

    public bool MoveNext(CancellationToken cancellationToken = default)
    {
        if (_moved || items.Count == 0) { _moved = true; return false; }
        return _moved = true;
    }

    public Task<bool> MoveNextAsync(CancellationToken cancellationToken = default) => Task.FromResult(MoveNext(cancellationToken));

    public void Dispose() { }
}
