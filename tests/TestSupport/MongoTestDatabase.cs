using MongoDB.Driver;
using NUnit.Framework;
using Testcontainers.MongoDb;

namespace ImageScanning.TestSupport;

/// <summary>
/// A MongoDB for store contract tests: MONGODB_URI when set, else a Testcontainers MongoDB when a
/// Docker engine is up. Without either the test is reported as skipped with the reason, never passed.
/// </summary>
public static class MongoTestDatabase
{
    public const string SkipReason =
        "MongoDB store tests skipped: MONGODB_URI is not set and no Docker engine is running for Testcontainers.";

    private static readonly Lazy<Task<string?>> ConnectionString = new(ResolveAsync);

    /// <summary>A fresh, uniquely named database, or Assert.Ignore when no MongoDB can be had.</summary>
    public static async Task<IMongoDatabase> CreateOrIgnoreAsync(string purpose)
    {
        var connectionString = await ConnectionString.Value;
        if (connectionString is null) Assert.Ignore(SkipReason);
        var client = new MongoClient(connectionString);
        return client.GetDatabase($"test_{purpose}_{Guid.NewGuid():N}"[..40]);
    }

    private static async Task<string?> ResolveAsync()
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        if (!string.IsNullOrWhiteSpace(uri)) return uri;
        if (!DockerEngineIsUp()) return null;
        var container = new MongoDbBuilder("mongo:7.0").WithReplicaSet().Build(); // the stores need transactions: a replica set
        await container.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return container.GetConnectionString();
    }

    private static bool DockerEngineIsUp()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host)) return true;
        const string socket = "/var/run/docker.sock";
        if (!File.Exists(socket)) return false;
        try
        {
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
