namespace ImageScanning.CveFeed.Importing;

/// <summary>Imports the directories and zips named in CveFeed:ImportPaths when the service starts; a bad path is logged, never fatal.</summary>
public sealed class StartupImportService(AdvisoryImportService importer, IConfiguration configuration, ILogger<StartupImportService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var paths = configuration.GetSection("CveFeed:ImportPaths").Get<string[]>() ?? [];
        foreach (var path in paths.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            try
            {
                await importer.ImportPathAsync(path, "startup:" + Path.GetFileName(path.TrimEnd('/')), stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                logger.LogError("Could not import advisories from {Path}: {Reason}", path, e.Message);
            }
        }
    }
}
