using System.Collections.Concurrent;
using System.Reflection;
using ImageScanning.CveFeed.Extensions;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Background;

/// <summary>A feed import (here a real go-vulndb zip, and one upload) reads and writes the advisory database only from the background lane.</summary>
public sealed class FeedImportLaneTests
{
    /// <summary>Forwards every IAdvisoryStore call to the real SQLite store, noting the thread it came from.</summary>
    public class ThreadRecordingStore : DispatchProxy
    {
        public IAdvisoryStore Inner { get; set; } = null!;
        public ConcurrentBag<string> Threads { get; } = [];

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            Threads.Add(Thread.CurrentThread.IsThreadPoolThread ? "thread pool" : Thread.CurrentThread.Name ?? "unnamed");
            try { return method!.Invoke(Inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        }
    }

    [Test]
    public async Task Imports_touch_the_advisory_store_only_from_lane_threads()
    {
        var data = Directory.CreateTempSubdirectory("imagescanning-feed-lane-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration["Messaging:Transport"] = "InMemory";
            builder.Configuration["Storage:Provider"] = "Sqlite";
            builder.Configuration["Storage:DataDirectory"] = data;
            builder.AddCveFeed();
            builder.AddMessaging(_ => { });
            var recording = DispatchProxy.Create<IAdvisoryStore, ThreadRecordingStore>();
            var proxy = (ThreadRecordingStore)(object)recording;
            using var sqlite = new SqliteAdvisoryStore(Path.Combine(data, "recorded-advisories.db"));
            proxy.Inner = sqlite;
            builder.Services.AddSingleton(recording);
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var import = host.Services.GetRequiredService<AdvisoryImportService>();
                var zip = await import.ImportPathAsync(Corpus.PathOf("feeds", "go-vulndb-osv.zip"), "go-vulndb", CancellationToken.None);
                var upload = await import.ImportJsonAsync(
                    """{"id":"LANE-1","modified":"2026-11-28T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"versions":["1.0.0"]}]}""",
                    "upload", CancellationToken.None);

                Assert.That(zip.Added, Is.GreaterThan(4000), "the whole real feed was imported");
                Assert.That(upload.Added, Is.EqualTo(1));
                Assert.That(await sqlite.CountAsync(), Is.EqualTo(zip.Added + 1), "the recording store is the one the import wrote to");
                Assert.That(proxy.Threads, Is.Not.Empty);
                Assert.That(proxy.Threads.Distinct(), Has.All.StartsWith("background-lane-"));
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }
}
