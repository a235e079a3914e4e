using System.ComponentModel;
using ImageScanning.Cli.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli;

/// <summary>`imagescan scan TARGET [options]`.</summary>
public sealed class ScanSettings : CacheSettings
{
    [CommandArgument(0, "<TARGET>")]
    // Descriptions are Spectre markup: a literal bracket is doubled.
    [Description("oci:DIR[[:TAG]], oci-archive:FILE, docker-archive:FILE, dir:ROOTFS or docker://HOST/REPO[[:TAG|@DIGEST]] "
        + "(registry credentials: IMAGESCAN_USERNAME / IMAGESCAN_PASSWORD)")]
    public string Target { get; init; } = "";

    [CommandOption("--advisories <PATH>")]
    [Description("Advisories to import into the cache before scanning (repeatable): an OSV zip, directory or record, a CveFeed export, a Debian tracker or Alpine secdb file. Re-importing an unchanged file rewrites nothing")]
    public string[] Advisories { get; init; } = [];

    [CommandOption("--scan-type <TYPE>")]
    [Description("basic (OS packages) or enhanced (OS and language packages; default)")]
    public string ScanType { get; init; } = "enhanced";

    [CommandOption("--format <FORMAT>")]
    [Description("table (default), json, sarif or cyclonedx")]
    public string Format { get; init; } = "table";

    [CommandOption("--output <FILE>")]
    [Description("Write the report to FILE instead of standard output")]
    public string? Output { get; init; }

    [CommandOption("--fail-on <SEVERITY>")]
    [Description("Exit 1 when a finding is at or above SEVERITY (LOW, MEDIUM, HIGH, CRITICAL)")]
    public string? FailOn { get; init; }

    [CommandOption("--exit-on-eol <CODE>")]
    [Description("Exit with CODE when the image's OS release is past its end of security support (as Trivy's flag; checked before --fail-on)")]
    public int? ExitOnEol { get; init; }

    [CommandOption("--eol-data <DIR>")]
    [Description("A directory of endoflife.date API files (debian.json, ubuntu.json, ...) read on top of the built-in end-of-life table")]
    public string? EolData { get; init; }

    [CommandOption("--platform <OS/ARCH>")]
    [Description("The platform to scan in a multi-platform image (default linux/amd64)")]
    public string? Platform { get; init; }

    [CommandOption("--insecure")]
    [Description("Talk plain HTTP to the registry of a docker:// target")]
    public bool Insecure { get; init; }

    [CommandOption("--db-max-age <DAYS>")]
    [Description("Warn when the advisory database was last updated more than DAYS days ago (default 7)")]
    public int DbMaxAgeDays { get; init; } = 7;

    [CommandOption("--fail-on-stale-db")]
    [Description("Exit 2 instead of warning when the database is older than --db-max-age")]
    public bool FailOnStaleDb { get; init; }

    [CommandOption("--no-cache")]
    [Description("Use a temporary database holding only --advisories, deleted after the scan")]
    public bool NoCache { get; init; }

    public bool Enhanced => ScanType.Equals("enhanced", StringComparison.OrdinalIgnoreCase);

    public ReportFormat ReportFormat => Format.ToLowerInvariant() switch
    {
        "json" => ReportFormat.Json,
        "sarif" => ReportFormat.Sarif,
        "cyclonedx" => ReportFormat.CycloneDx,
        _ => ReportFormat.Table,
    };

    public string? FailOnSeverity => FailOn?.ToUpperInvariant();

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Target)) return ValidationResult.Error("No TARGET given.");
        if (ScanType.ToLowerInvariant() is not ("basic" or "enhanced")) return ValidationResult.Error($"--scan-type is basic or enhanced, not '{ScanType}'.");
        if (Format.ToLowerInvariant() is not ("table" or "json" or "sarif" or "cyclonedx"))
            return ValidationResult.Error($"--format is table, json, sarif or cyclonedx, not '{Format}'.");
        if (FailOnSeverity is { } severity && SeverityOrder.Rank(severity) < 0)
            return ValidationResult.Error($"--fail-on takes LOW, MEDIUM, HIGH or CRITICAL, not '{severity}'.");
        if (ExitOnEol is < 1 or > 255) return ValidationResult.Error($"--exit-on-eol is an exit code from 1 to 255, not {ExitOnEol}.");
        if (EolData is not null && !Directory.Exists(EolData)) return ValidationResult.Error($"--eol-data {EolData} is not a directory.");
        if (DbMaxAgeDays < 0) return ValidationResult.Error($"--db-max-age is a number of days, not {DbMaxAgeDays}.");
        if (NoCache && Advisories.Length == 0) return ValidationResult.Error("--no-cache scans only --advisories: name at least one.");
        return ValidationResult.Success();
    }
}
