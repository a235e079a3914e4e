namespace ImageScanning.CveFeed.Importing;

/// <summary>
/// Imports the directories and zips named in CveFeed:ImportPaths (advisories), then the files and directories named in
/// CveFeed:ExploitImportPaths (EPSS files and KEV catalogues), when the service starts; a bad path or document is logged, never fatal.
/// </summary>
public sealed class StartupImportService(
    AdvisoryImportService importer, ExploitIntelligenceImportService exploits, IConfiguration configuration, ILogger<StartupImportService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var path in Paths("CveFeed:ImportPaths"))
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
        foreach (var path in Paths("CveFeed:ExploitImportPaths"))
        {
            try
            {
                await exploits.ImportPathAsync(path, "startup:" + Path.GetFileName(path.TrimEnd('/')), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Could not import exploit intelligence from {Path}: {Reason}", path, e.Message);
            }
        }
    }

    private IEnumerable<string> Paths(string key) =>
        (configuration.GetSection(key).Get<string[]>() ?? []).Where(p => !string.IsNullOrWhiteSpace(p));
}
