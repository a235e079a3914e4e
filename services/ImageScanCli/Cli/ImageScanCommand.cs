using ImageScanning.Cli.Cli.Db;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli;

/// <summary>
/// The `imagescan` program: Spectre.Console.Cli parses the command line, writes help and runs a command. Exit codes: 0 clean,
/// 1 a finding at or above --fail-on, 2 any error; a usage error names what was wrong on standard error.
/// <paramref name="clock"/> (the system's by default) dates updates and judges the database's age.
/// </summary>
public sealed class ImageScanCommand(TextWriter stdout, TextWriter stderr, bool interactive, TimeProvider? clock = null)
{
    public const int Clean = 0, FindingsAtThreshold = 1, Error = 2;

    public static Task<int> RunAsync(string[] args, CancellationToken ct) =>
        new ImageScanCommand(Console.Out, Console.Error, interactive: !Console.IsErrorRedirected).ExecuteAsync(args, ct);

    public async Task<int> ExecuteAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        // No command at all is a usage error: the help goes to standard error and the exit code is 2.
        var noCommand = args.Count == 0;
        var services = new ServiceCollection()
            .AddSingleton(new CliConsole(stdout, stderr, interactive))
            .AddSingleton(clock ?? TimeProvider.System);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("imagescan");
            config.ConfigureConsole(CliConsole.For(noCommand ? stderr : stdout, interactive: false));
            config.PropagateExceptions();
            // An unknown option is an error, not a remaining argument.
            config.Settings.StrictParsing = true;
            config.AddCommand<ScanCommand>("scan")
                .WithDescription("Scan an image for vulnerable packages with the advisory database in the cache directory. "
                    + "Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 error.")
                .WithExample("scan", "oci:./layout:v1", "--format", "json")
                .WithExample("scan", "docker://registry.example/team/app:v1", "--fail-on", "HIGH");
            config.AddBranch("db", db =>
            {
                db.SetDescription("Manage the advisory database in the cache directory.");
                db.AddCommand<DbUpdateCommand>("update")
                    .WithDescription("Update the database from the configured sources (osv.dev ecosystems incrementally through modified_id.csv).")
                    .WithExample("db", "update", "--source", "Debian=https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip");
                db.AddCommand<DbImportCommand>("import")
                    .WithDescription("Import advisory files without network: OSV zips and directories, CveFeed export bundles, native feed files.")
                    .WithExample("db", "import", "advisories-export.zip", "debian-tracker.json");
                db.AddCommand<DbStatusCommand>("status")
                    .WithDescription("Show the database's sources, their age and the advisories per ecosystem.");
            });
        });
        try
        {
            var exit = await app.RunAsync(noCommand ? ["--help"] : args, ct);
            return noCommand ? Error : exit;
        }
        catch (Exception e) when (e is CommandParseException or CommandRuntimeException or UsageException)
        {
            await stderr.WriteLineAsync($"imagescan: {e.Message}");
            await stderr.WriteLineAsync("Run 'imagescan --help' (or 'imagescan COMMAND --help') for the commands and options.");
            return Error;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("imagescan: interrupted.");
            return Error;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // A locked, read-only or damaged cache database: say which, not a stack trace.
            await stderr.WriteLineAsync($"imagescan: the advisory database could not be used: {e.Message}");
            return Error;
        }
    }
}
