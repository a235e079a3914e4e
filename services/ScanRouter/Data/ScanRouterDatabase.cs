namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// The ScanRouter's one service database ("scanrouter": the SQLite file scanrouter.db, or the Mongo database of that suffix). Its four
/// stores live in it, so one unit of work can change the catalog, the package index and usage together with the outbox and inbox:
/// <see cref="IScanningConfigurationStore"/>, <see cref="IImageCatalogStore"/>, <see cref="IPackageIndexStore"/>, <see cref="IScanUsageStore"/>.
/// </summary>
public static class ScanRouterDatabase
{
    /// <summary>The database's name: inject it with <c>[FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase</c>.</summary>
    public const string Name = "scanrouter";
}
