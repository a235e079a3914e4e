using System.Reflection;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// A client session: records when a transaction starts (with its read and write concerns), commits and aborts, and numbers the
/// transaction so every operation records which one it ran in.
/// </summary>
public class RecordingSession : DispatchProxy, ITransactionId
{
    private RecordingMongo _mongo = null!;
    private IMongoClient _client = null!;
    private int? _transaction;

    public int? CurrentTransaction => _transaction;

    internal static IClientSessionHandle Create(RecordingMongo mongo, IMongoClient client)
    {
        var session = DispatchProxy.Create<IClientSessionHandle, RecordingSession>();
        var recording = (RecordingSession)(object)session;
        recording._mongo = mongo;
        recording._client = client;
        return session;
    }

    private IClientSessionHandle Self => (IClientSessionHandle)(object)this;

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        switch (method.Name)
        {
            case "get_Client": return _client;
            case "get_IsInTransaction": return _transaction is not null;
            case "get_IsImplicit": return false;
            case "get_Options": return new ClientSessionOptions();
            case "Dispose":
                if (_transaction is not null) End("abortTransaction");
                return null;
            case "StartTransaction":
                Start(args![0] as TransactionOptions);
                return null;
            case "CommitTransaction" or "CommitTransactionAsync":
                End("commitTransaction");
                return RecordingMongo.Return(method, null);
            case "AbortTransaction" or "AbortTransactionAsync":
                End("abortTransaction");
                return RecordingMongo.Return(method, null);
            case "WithTransaction" or "WithTransactionAsync":
                return typeof(RecordingSession).GetMethod(nameof(WithTransactionAsync), BindingFlags.NonPublic | BindingFlags.Instance)!
                    .MakeGenericMethod(method.GetGenericArguments()[0]).Invoke(this, [args![0], args[1], args[2]]);
            default: throw RecordingMongo.Unsupported(method);
        }
    }

    private async Task<TResult> WithTransactionAsync<TResult>(
        Func<IClientSessionHandle, CancellationToken, Task<TResult>> callback, TransactionOptions? options, CancellationToken ct)
    {
        Start(options);
        try
        {
            var result = await callback(Self, ct);
            End("commitTransaction");
            return result;
        }
        catch
        {
            if (_transaction is not null) End("abortTransaction");
            throw;
        }
    }

    private void Start(TransactionOptions? options)
    {
        if (_transaction is not null) throw new InvalidOperationException("Transaction already in progress (the driver refuses a nested StartTransaction).");
        _transaction = _mongo.NewTransaction();
        var parts = new BsonDocument();
        if (options?.ReadConcern is { } read) parts["readConcern"] = read.ToBsonDocument();
        if (options?.WriteConcern is { } write) parts["writeConcern"] = write.ToBsonDocument();
        _mongo.Record("", "startTransaction", Self, parts);
    }

    private void End(string command)
    {
        if (_transaction is null) throw new InvalidOperationException($"{command} without a transaction in progress.");
        _mongo.Record("", command, Self, []);
        _transaction = null;
    }
}
