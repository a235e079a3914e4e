using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Extensions;

namespace ImageScanning.Gateway.Harbor;

public static class HarborScannerExtensions
{
    /// <summary>
    /// Registers Harbor's Scanner API: its settings (section <c>Harbor</c>), the registry mapping, the scan starter, the report
    /// reader, and a reader of the advisory database (metadata's vulnerability-database-updated-at; CveFeed writes it, the
    /// scanners and this read it; registered once when the process hosts a scanner too).
    /// </summary>
    public static IHostApplicationBuilder AddHarborScanner(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HarborOptions>().BindConfiguration(HarborOptions.Section)
            .Validate(o => o.Problem() is null, "Harbor: RefreshAfterSeconds at least 1, CatalogWait and ReportTimeout positive, each RegistryUrls entry an absolute Url and a Registry.")
            .ValidateOnStart();
        builder.Services.AddSingleton<HarborRegistries>();
        builder.Services.AddSingleton<HarborScanStarter>();
        builder.Services.AddSingleton<HarborReportReader>();
        builder.AddStore<IAdvisoryStore>("advisories", path => new SqliteAdvisoryStore(path), db => new MongoAdvisoryStore(db));
        return builder;
    }
}
