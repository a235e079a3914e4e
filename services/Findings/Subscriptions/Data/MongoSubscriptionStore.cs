using ImageScanning.Findings.Data;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>
/// Production store: subscriptions and the webhook deliveries as two collections of the service's database. Joined with a unit
/// of work, every call carries its session.
/// </summary>
public sealed class MongoSubscriptionStore : ISubscriptionStore, IMongoIndexOwner
{
    public const string SubscriptionsCollection = "subscriptions";
    public const string DeliveriesCollection = "subscription_deliveries";

    private static readonly FilterDefinitionBuilder<SubscriptionDocument> Subscriptions = Builders<SubscriptionDocument>.Filter;
    private static readonly FilterDefinitionBuilder<DeliveryDocument> Deliveries = Builders<DeliveryDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<DeliveryDocument> Update = Builders<DeliveryDocument>.Update;

    private readonly MongoServiceDatabase _database;
    private readonly SessionCollection<SubscriptionDocument> _subscriptions;
    private readonly SessionCollection<DeliveryDocument> _deliveries;

    private readonly MongoIndexes _indexes;

    public MongoSubscriptionStore(MongoServiceDatabase database) : this(database, null, null) { }

    private MongoSubscriptionStore(MongoServiceDatabase database, IClientSessionHandle? session, MongoIndexes? indexes)
    {
        _database = database;
        _subscriptions = new(database.Database.GetCollection<SubscriptionDocument>(SubscriptionsCollection), session);
        _deliveries = new(database.Database.GetCollection<DeliveryDocument>(DeliveriesCollection), session);
        var (subscriptions, deliveries) = (_subscriptions.Collection, _deliveries.Collection);
        _indexes = indexes ?? new MongoIndexes(async ct =>
        {
            // Created at start, outside any transaction, so a transaction never has to create a collection.
            await deliveries.Indexes.CreateManyAsync(DeliveryIndexes, ct);
            await subscriptions.Indexes.CreateManyAsync(SubscriptionIndexes, ct);
        });
    }

    /// <summary>ListSubscriptionsAsync's order (created, then id).</summary>
    private static IReadOnlyList<CreateIndexModel<SubscriptionDocument>> SubscriptionIndexes { get; } =
    [
        new(Builders<SubscriptionDocument>.IndexKeys.Ascending(d => d.CreatedAt).Ascending(d => d.Id), new CreateIndexOptions { Name = "ix_created" }),
    ];

    /// <summary>
    /// One delivery per (subscription, event), unique; the due claim (state, due time, creation, id: its filter and its whole sort);
    /// a subscription's dead letters in order; the prune of delivered ones. CountPendingAsync counts on the due index's state prefix.
    /// </summary>
    private static IReadOnlyList<CreateIndexModel<DeliveryDocument>> DeliveryIndexes { get; } =
    [
        new(Builders<DeliveryDocument>.IndexKeys.Ascending(d => d.SubscriptionId).Ascending(d => d.EventId), new CreateIndexOptions { Unique = true }),
        new(Builders<DeliveryDocument>.IndexKeys.Ascending(d => d.State).Ascending(d => d.NextAttemptAt).Ascending(d => d.CreatedAt).Ascending(d => d.Id),
            new CreateIndexOptions { Name = "ix_due" }),
        new(Builders<DeliveryDocument>.IndexKeys.Ascending(d => d.SubscriptionId).Ascending(d => d.State).Ascending(d => d.CreatedAt).Ascending(d => d.Id),
            new CreateIndexOptions { Name = "ix_subscription_state" }),
        new(Builders<DeliveryDocument>.IndexKeys.Ascending(d => d.State).Ascending(d => d.DeliveredAt), new CreateIndexOptions { Name = "ix_delivered" }),
    ];

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    public ISubscriptionStore In(UnitOfWork work) => new MongoSubscriptionStore(_database, _database.Join(work).Session, _indexes);

    public async Task SaveSubscriptionAsync(Subscription s, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        await _subscriptions.ReplaceOneAsync(Subscriptions.Eq(d => d.Id, s.Id.ToString()), SubscriptionDocument.From(s), new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<Subscription?> GetSubscriptionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        return (await _subscriptions.Find(Subscriptions.Eq(d => d.Id, id.ToString())).FirstOrDefaultAsync(cancellationToken))?.ToSubscription();
    }

    public async Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        return (await _subscriptions.Find(Subscriptions.Empty).SortBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(cancellationToken))
            .Select(d => d.ToSubscription()).ToList();
    }

    public async Task<bool> DeleteSubscriptionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        if (!_subscriptions.InTransaction)
        {
            // The subscription and its deliveries go together.
            await using var work = await _database.BeginAsync(cancellationToken);
            var deleted = await In(work).DeleteSubscriptionAsync(id, cancellationToken);
            await work.CommitAsync(cancellationToken);
            return deleted;
        }
        var removed = await _subscriptions.DeleteOneAsync(Subscriptions.Eq(d => d.Id, id.ToString()), cancellationToken);
        await _deliveries.DeleteManyAsync(Deliveries.Eq(d => d.SubscriptionId, id.ToString()), cancellationToken);
        return removed.DeletedCount > 0;
    }

    public async Task<int> EnqueueAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        if (deliveries.Count == 0) return 0;
        if (_deliveries.InTransaction)
        {
            // A duplicate-key error would abort the whole transaction: leave out what is already queued, then insert the rest.
            var candidates = deliveries.DistinctBy(d => (d.SubscriptionId, d.EventId)).ToList();
            var queued = await _deliveries.Find(Deliveries.Or(candidates.Select(d =>
                    Deliveries.Eq(x => x.SubscriptionId, d.SubscriptionId.ToString()) & Deliveries.Eq(x => x.EventId, d.EventId))))
                .Project(d => new { d.SubscriptionId, d.EventId }).ToListAsync(cancellationToken);
            var known = queued.Select(q => (q.SubscriptionId, q.EventId)).ToHashSet();
            var fresh = candidates.Where(d => !known.Contains((d.SubscriptionId.ToString(), d.EventId))).ToList();
            if (fresh.Count > 0) await _deliveries.InsertManyAsync(fresh.Select(DeliveryDocument.From), new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return fresh.Count;
        }
        try
        {
            await _deliveries.InsertManyAsync(deliveries.Select(DeliveryDocument.From), new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return deliveries.Count;
        }
        catch (MongoBulkWriteException<DeliveryDocument> e) when (e.WriteErrors.All(w => w.Category == ServerErrorCategory.DuplicateKey))
        {
            // Already queued for that subscription: a redelivered event adds nothing.
            return deliveries.Count - e.WriteErrors.Count;
        }
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var claimed = new List<WebhookDelivery>();
        var at = now.UtcDateTime;
        var filter = Deliveries.Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= at && d.LeaseUntil <= at);
        var update = Update.Set(d => d.LeaseUntil, (now + lease).UtcDateTime);
        var options = new FindOneAndUpdateOptions<DeliveryDocument>
        {
            Sort = Builders<DeliveryDocument>.Sort.Ascending(d => d.NextAttemptAt).Ascending(d => d.CreatedAt).Ascending(d => d.Id),
            ReturnDocument = ReturnDocument.After,
        };
        // One atomic claim per delivery, so two replicas never take the same one.
        while (claimed.Count < limit && await _deliveries.FindOneAndUpdateAsync(filter, update, options, cancellationToken) is { } document)
            claimed.Add(document.ToDelivery());
        return claimed;
    }

    public async Task MarkDeliveredAsync(Guid deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        await _deliveries.UpdateOneAsync(ById(deliveryId), Update
            .Set(d => d.State, DeliveryState.Delivered).Set(d => d.DeliveredAt, at.UtcDateTime).Set(d => d.LeaseUntil, DateTime.MinValue),
            null, cancellationToken);
    }

    public async Task<int> PruneDeliveredAsync(DateTimeOffset deliveredBefore, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var before = deliveredBefore.UtcDateTime;
        var result = await _deliveries.DeleteManyAsync(Deliveries.Where(d => d.State == DeliveryState.Delivered && d.DeliveredAt < before), cancellationToken);
        return (int)result.DeletedCount;
    }

    public async Task MarkRetryAsync(Guid deliveryId, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        await _deliveries.UpdateOneAsync(ById(deliveryId), Update
            .Set(d => d.Attempts, attempts).Set(d => d.LastError, error).Set(d => d.NextAttemptAt, nextAttemptAt.UtcDateTime)
            .Set(d => d.LeaseUntil, DateTime.MinValue), null, cancellationToken);
    }

    public async Task MarkDeadLetteredAsync(Guid deliveryId, int attempts, string error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        await _deliveries.UpdateOneAsync(ById(deliveryId), Update
            .Set(d => d.State, DeliveryState.DeadLettered).Set(d => d.Attempts, attempts).Set(d => d.LastError, error)
            .Set(d => d.DeadLetteredAt, at.UtcDateTime).Set(d => d.LeaseUntil, DateTime.MinValue), null, cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListDeadLettersAsync(Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        return (await _deliveries.Find(Deliveries.Where(d => d.SubscriptionId == subscriptionId.ToString() && d.State == DeliveryState.DeadLettered))
            .SortBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(cancellationToken)).Select(d => d.ToDelivery()).ToList();
    }

    public async Task<int> ReplayDeadLettersAsync(Guid subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var result = await _deliveries.UpdateManyAsync(
            Deliveries.Where(d => d.SubscriptionId == subscriptionId.ToString() && d.State == DeliveryState.DeadLettered),
            Update.Set(d => d.State, DeliveryState.Pending).Set(d => d.Attempts, 0)
                .Set(d => d.NextAttemptAt, now.UtcDateTime).Set(d => d.LeaseUntil, DateTime.MinValue).Set(d => d.DeadLetteredAt, null),
            cancellationToken);
        return (int)result.ModifiedCount;
    }

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        return await _deliveries.CountDocumentsAsync(Deliveries.Eq(d => d.State, DeliveryState.Pending), cancellationToken);
    }

    private static FilterDefinition<DeliveryDocument> ById(Guid deliveryId) => Deliveries.Eq(d => d.Id, deliveryId.ToString());

    internal sealed class SubscriptionDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string TargetUrl { get; init; }
        public required string EventPattern { get; init; }
        public bool CloudEvents { get; init; }
        public string? Description { get; init; }
        public required string Secret { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime CreatedAt { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime UpdatedAt { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }

        public static SubscriptionDocument From(Subscription s) => new()
        {
            Id = s.Id.ToString(), TargetUrl = s.TargetUrl, EventPattern = s.EventPattern, CloudEvents = s.CloudEvents,
            Description = s.Description, Secret = s.Secret, CreatedAt = s.CreatedAt.UtcDateTime, UpdatedAt = s.UpdatedAt.UtcDateTime,
        };

        public Subscription ToSubscription() =>
            new(Guid.Parse(Id), TargetUrl, EventPattern, CloudEvents, Description, Secret, Utc(CreatedAt), Utc(UpdatedAt));
    }

    internal sealed class DeliveryDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string SubscriptionId { get; init; }
        public required string EventId { get; init; }
        public required string DetailType { get; init; }
        public required string ContentType { get; init; }
        public required string Body { get; init; }
        [BsonRepresentation(BsonType.String)] public DeliveryState State { get; init; }
        public int Attempts { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime NextAttemptAt { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime LeaseUntil { get; init; }
        public string? LastError { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime CreatedAt { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime? DeadLetteredAt { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime? DeliveredAt { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }

        public static DeliveryDocument From(WebhookDelivery d) => new()
        {
            Id = d.Id.ToString(), SubscriptionId = d.SubscriptionId.ToString(), EventId = d.EventId, DetailType = d.DetailType,
            ContentType = d.ContentType, Body = d.Body, State = d.State, Attempts = d.Attempts, NextAttemptAt = d.NextAttemptAt.UtcDateTime,
            LeaseUntil = DateTime.MinValue, LastError = d.LastError, CreatedAt = d.CreatedAt.UtcDateTime, DeadLetteredAt = d.DeadLetteredAt?.UtcDateTime,
        };

        public WebhookDelivery ToDelivery() => new(
            Guid.Parse(Id), Guid.Parse(SubscriptionId), EventId, DetailType, ContentType, Body, State, Attempts, Utc(NextAttemptAt),
            LastError, Utc(CreatedAt), DeadLetteredAt is { } dead ? Utc(dead) : null);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
