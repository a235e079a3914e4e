using ImageScanning.ScanEngine.Advisories.Exploits;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore.Attempts;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ScannerCore.Testing;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScannerCore.Extensions;

public static class ScannerCoreExtensions
{
    /// <summary>
    /// The scan engine, the registry clients (configured registries only), read access to the advisory database, which CveFeed
    /// writes (as a scanner ships with its vulnerability DB), and the scanners' own database "inventories" (inventories, scan
    /// attempts, outbox, inbox), whose outbox this process dispatches. Scanning:* and Testing:* are bound here.
    /// </summary>
    public static IHostApplicationBuilder AddScannerCore(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ScanImageHandler))) return builder; // Basic and Enhanced in one process.
        builder.Services.AddRegistryClients(builder.Configuration.GetSection("Registries"));
        builder.Services.AddOptions<RegistryHttpOptions>().BindConfiguration(ScannerOptions.Section + ":RegistryHttp");
        builder.Services.AddOptions<BlobThroughputOptions>().BindConfiguration(ScannerOptions.Section)
            .Validate(o => o.Problem() is null, "Scanning:MinimumThroughputBytesPerSecond must not be negative and Scanning:ThroughputWindow must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<ScannerOptions>().BindConfiguration(ScannerOptions.Section)
            .Validate(o => o.Problem() is null, "Scanning:ScanTimeout must be positive and Scanning:MaxScanAttempts at least 1.")
            .ValidateOnStart();
        // The hostile-input budget: each layer's, and the whole image's over all its layers (the time bound is ScanTimeout).
        builder.Services.AddOptions<LayerLimits>().BindConfiguration(ScannerOptions.Section + ":LayerLimits");
        builder.Services.AddOptions<ImageLimits>().BindConfiguration(ScannerOptions.Section + ":ImageLimits")
            .Validate(o => o.Problem() is null, "Scanning:ImageLimits:MaxLayers and MaxEntries must be at least 1 and MaxKeptBytes not negative.")
            .ValidateOnStart();
        builder.Services.AddOptions<ScannerFaultInjectionOptions>().BindConfiguration(ScannerFaultInjectionOptions.Section);

        builder.AddStore<IAdvisoryStore>("advisories", path => new SqliteAdvisoryStore(path), db => new MongoAdvisoryStore(db));
        // The advisory store's indexes at start (it is no IMongoIndexOwner itself; see MongoAdvisoryIndexOwner).
        builder.Services.AddSingleton<MongoAdvisoryIndexOwner>();
        builder.AddMongoIndexes<MongoAdvisoryIndexOwner>();
        // EPSS and KEV from the same database, read alike (CveFeed writes them); IExploitIntelligence resolves a finding's aliases.
        builder.AddStore<IExploitIntelligenceStore>("advisories", path => new SqliteExploitIntelligenceStore(path), db => new MongoExploitIntelligenceStore(db));
        builder.Services.TryAddSingleton<IExploitIntelligence, ExploitIntelligenceReader>();
        builder.AddStore<IInventoryStore>(ScannerDatabase.Name, (SqliteDatabase db) => new SqliteInventoryStore(db), (MongoServiceDatabase db) => new MongoInventoryStore(db));
        builder.AddStore<IScanAttemptStore>(ScannerDatabase.Name, (SqliteDatabase db) => new SqliteScanAttemptStore(db), (MongoServiceDatabase db) => new MongoScanAttemptStore(db));
        builder.AddOutbox(ScannerDatabase.Name);

        foreach (var ecosystem in EcosystemCatalog.All()) builder.Services.AddSingleton(ecosystem);
        builder.Services.AddSingleton<ImageScanner>();
        builder.Services.AddSingleton(sp => new EndOfLifeFeedDirectory(
            sp.GetRequiredService<IOptions<ScannerOptions>>().Value.EndOfLifeFeedDirectory, sp.GetServices<IEcosystem>()));
        builder.Services.AddSingleton<ScannerFaultInjection>();
        builder.Services.AddSingleton<ScanImageHandler>();
        builder.Services.AddSingleton<IScanImageHandler>(sp => sp.GetRequiredService<ScanImageHandler>());
        builder.Services.AddSingleton<ScannerMetrics>();
        return builder;
    }
}
