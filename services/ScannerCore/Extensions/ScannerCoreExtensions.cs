using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ServiceDefaults.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.ScannerCore.Extensions;

public static class ScannerCoreExtensions
{
    /// <summary>
    /// The scan engine, the registry clients (configured registries only) and read access to the advisory
    /// database, which CveFeed writes (as a scanner ships with its vulnerability DB).
    /// </summary>
    public static IHostApplicationBuilder AddScannerCore(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ScanImageHandler))) return builder; // Basic and Enhanced in one process.
        builder.Services.AddRegistryClients(builder.Configuration.GetSection("Registries"));
        builder.AddStore<IAdvisoryStore>("advisories", path => new SqliteAdvisoryStore(path), db => new MongoAdvisoryStore(db));
        builder.AddStore<IInventoryStore>("inventories", path => new SqliteInventoryStore(path), db => new MongoInventoryStore(db));
        foreach (var ecosystem in EcosystemCatalog.All()) builder.Services.AddSingleton(ecosystem);
        builder.Services.AddSingleton<ImageScanner>();
        builder.Services.AddSingleton<ScanImageHandler>();
        builder.Services.AddSingleton<IScanImageHandler>(sp => sp.GetRequiredService<ScanImageHandler>());
        builder.Services.AddSingleton<ScannerMetrics>();
        return builder;
    }
}
