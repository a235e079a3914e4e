using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.Cli.Database;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli.Db;

public sealed class DbStatusSettings : CacheSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Format.ToLowerInvariant() is "table" or "json"
        ? ValidationResult.Success()
        : ValidationResult.Error($"--format is table or json, not '{Format}'.");
}

/// <summary>`imagescan db status`: the database file, its sources and their age, and how many advisories each ecosystem has.</summary>
public sealed class DbStatusCommand(CliConsole console, TimeProvider clock) : AsyncCommand<DbStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbStatusSettings settings, CancellationToken ct)
    {
        var cacheDir = settings.ResolveCacheDir();
        if (!AdvisoryCache.Exists(cacheDir))
        {
            await console.FailAsync(DbCommands.NoDatabase(cacheDir));
            return ImageScanCommand.Error;
        }
        using var cache = AdvisoryCache.Open(cacheDir);
        var sources = await cache.Sources.ListAsync(ct);
        var ecosystems = await cache.Store.CountByEcosystemAsync(ct);
        var advisories = await cache.Store.CountAsync(ct);
        var now = clock.GetUtcNow();
        var lastUpdated = sources.Max(s => s.CheckedAt);
        var size = cache.SizeOnDisk();

        if (settings.Format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            var json = new JsonObject
            {
                ["database"] = cache.DatabasePath,
                ["sizeBytes"] = size,
                ["advisories"] = advisories,
                ["lastUpdated"] = lastUpdated?.ToString("O", CultureInfo.InvariantCulture),
                ["ageDays"] = lastUpdated is { } at ? Math.Round((now - at).TotalDays, 2) : null,
                ["sources"] = new JsonArray(sources.Select(s => (JsonNode)new JsonObject
                {
                    ["name"] = s.Name, ["kind"] = s.Kind, ["location"] = s.Location,
                    ["lastChecked"] = s.CheckedAt?.ToString("O", CultureInfo.InvariantCulture),
                    ["lastChanged"] = s.ChangedAt?.ToString("O", CultureInfo.InvariantCulture),
                    ["ageDays"] = s.CheckedAt is { } c ? Math.Round((now - c).TotalDays, 2) : null,
                    ["records"] = s.Records,
                    ["lastRun"] = new JsonObject
                    {
                        ["added"] = s.Added, ["changed"] = s.Changed, ["metadataChanged"] = s.MetadataChanged,
                        ["unchanged"] = s.Unchanged, ["failed"] = s.Failed,
                    },
                    ["etag"] = s.ETag, ["watermark"] = s.Watermark,
                }).ToArray()),
                ["ecosystems"] = new JsonObject(ecosystems.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
            };
            await console.Out.WriteLineAsync(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ImageScanCommand.Clean;
        }

        await console.Out.WriteLineAsync($"Database: {cache.DatabasePath} ({size / 1024.0 / 1024.0:0.0} MiB), {advisories} advisories, "
            + $"last updated {SourceCatalog.Iso(lastUpdated)}{(lastUpdated is { } u ? $" ({Age(now - u)} ago)" : "")}");
        await console.Out.WriteLineAsync();
        await console.Out.WriteAsync(Columns(["SOURCE", "KIND", "LOCATION", "UPDATED", "AGE", "RECORDS", "LAST RUN"], sources.Select(s => new[]
        {
            s.Name, s.Kind, s.Location, SourceCatalog.Iso(s.CheckedAt), s.CheckedAt is { } c ? Age(now - c) : "-",
            s.Records.ToString(CultureInfo.InvariantCulture), $"{s.Added} new, {s.Changed} changed, {s.Unchanged} unchanged, {s.Failed} failed",
        })));
        await console.Out.WriteLineAsync();
        await console.Out.WriteAsync(Columns(["ECOSYSTEM", "ADVISORIES"], ecosystems.Select(e => new[] { e.Key, e.Value.ToString(CultureInfo.InvariantCulture) })));
        return ImageScanCommand.Clean;
    }

    /// <summary>Plain left-aligned columns, two spaces apart, no trailing blanks: easy to read and to cut.</summary>
    private static string Columns(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in all) text.AppendLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        return text.ToString();
    }

    private static string Age(TimeSpan age) => age.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} days")
        : age.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0} hours") : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalMinutes):0} minutes");
}
