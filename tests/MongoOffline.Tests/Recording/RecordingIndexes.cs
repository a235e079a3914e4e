using System.Reflection;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>A collection's index manager: each index a store creates is recorded ("createIndexes") with its rendered keys and options.</summary>
public class RecordingIndexes<T> : DispatchProxy
{
    private RecordingMongo _mongo = null!;
    private string _name = null!;

    internal static IMongoIndexManager<T> Create(RecordingMongo mongo, string name)
    {
        var indexes = DispatchProxy.Create<IMongoIndexManager<T>, RecordingIndexes<T>>();
        var recording = (RecordingIndexes<T>)(object)indexes;
        recording._mongo = mongo;
        recording._name = name;
        return indexes;
    }

    private List<CreateIndexModel<T>>? Drop(MethodInfo method, IClientSessionHandle? session, string name)
    {
        _mongo.Record(_name, "dropIndexes", session, new BsonDocument("index", name));
        return null;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        args ??= [];
        var session = args.OfType<IClientSessionHandle>().FirstOrDefault();
        var models = method.Name switch
        {
            "CreateOne" or "CreateOneAsync" => args.OfType<CreateIndexModel<T>>().Take(1).ToList(),
            "CreateMany" or "CreateManyAsync" => args.OfType<IEnumerable<CreateIndexModel<T>>>().First().ToList(),
            "get_CollectionNamespace" => null,
            "DropOne" or "DropOneAsync" => Drop(method, session, args.OfType<string>().First()),
            _ => throw RecordingMongo.Unsupported(method),
        };
        if (models is null) return method.Name == "get_CollectionNamespace" ? new CollectionNamespace(_mongo.Namespace, _name) : RecordingMongo.Return(method, null);
        if (models.Count == 0) throw RecordingMongo.Unsupported(method);
        var names = new List<string>();
        foreach (var model in models)
        {
            var keys = model.Keys.Render(RecordingCollection<T>.Args);
            var parts = new BsonDocument { ["key"] = keys };
            var options = model.Options;
            if (options?.Name is { } name) parts["name"] = name;
            if (options?.Unique == true) parts["unique"] = true;
            if (options?.Sparse == true) parts["sparse"] = true;
            if (options?.ExpireAfter is { } ttl) parts["expireAfterSeconds"] = ttl.TotalSeconds;
            if (options is CreateIndexOptions<T> { PartialFilterExpression: { } partial })
                parts["partialFilterExpression"] = partial.Render(RecordingCollection<T>.Args);
            _mongo.Record(_name, "createIndexes", session, parts);
            names.Add(options?.Name ?? string.Join("_", keys.Elements.Select(e => $"{e.Name}_{e.Value}")));
        }
        return RecordingMongo.Return(method, method.Name.StartsWith("CreateOne", StringComparison.Ordinal) ? names[0] : names);
    }
}
