using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using MongoDB.Driver;

namespace ImageScanning.ServiceDefaults.Extensions;

/// <summary>
/// Failures of the infrastructure rather than of the message: the store or the broker is unavailable for a while. A message that
/// meets one is retried for as long as an outage can reasonably last; any other failure is retried briefly and then faulted.
/// </summary>
public static class TransientFailures
{
    // SQLite primary result codes (the low byte of the extended code) that a store outage produces.
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteReadOnly = 8, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14, SqliteProtocol = 15;

    public static bool IsTransient(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xff) is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen or SqliteProtocol,
        MongoConnectionException or MongoNotPrimaryException or MongoNodeIsRecoveringException or MongoExecutionTimeoutException => true,
        MongoException mongo when mongo.HasErrorLabel("TransientTransactionError") || mongo.HasErrorLabel("RetryableWriteError") => true,
        TimeoutException or SocketException => true,
        // A broker that is away: the send of a response or a message that did not go through the outbox.
        RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.AlreadyClosedException => true,
        MassTransit.MassTransitException when exception.GetType().Name is "MessageNotConfirmedException" or "RabbitMqConnectionException" => true,
        IOException io when io.InnerException is SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
