namespace ImageScanning.Cli.Cli;

public enum ReportFormat { Table, Json, Sarif, CycloneDx }

/// <summary>`imagescan scan TARGET [options]`, parsed.</summary>
public sealed record CommandLineOptions
{
    public required string Target { get; init; }
    public IReadOnlyList<string> Advisories { get; init; } = [];
    public bool Enhanced { get; init; } = true;
    public ReportFormat Format { get; init; } = ReportFormat.Table;
    public string? Output { get; init; }
    public string? FailOn { get; init; }
    public string? Platform { get; init; }
    public bool Insecure { get; init; }

    public const string Usage = """
        Usage: imagescan scan TARGET [options]

        TARGET
          oci:DIR[:TAG]                    an OCI image layout directory
          oci-archive:FILE                 an OCI image layout in a tar file
          docker-archive:FILE              a `docker save` archive
          dir:ROOTFS                       a root filesystem directory
          docker://HOST/REPO[:TAG|@DIGEST] an image in a registry (credentials: IMAGESCAN_USERNAME / IMAGESCAN_PASSWORD)

        Options
          --advisories PATH     a directory or zip of OSV advisories (repeatable; at least one)
          --scan-type TYPE      basic (OS packages) or enhanced (OS and language packages; default)
          --format FORMAT       table (default), json, sarif or cyclonedx
          --output FILE         write the report to FILE instead of standard output
          --fail-on SEVERITY    exit 1 when a finding is at or above SEVERITY (LOW, MEDIUM, HIGH, CRITICAL)
          --platform OS/ARCH    the platform to scan in a multi-platform image (default linux/amd64)
          --insecure            talk plain HTTP to the registry of a docker:// target

        Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 error.
        """;

    /// <summary>Parses the arguments; throws <see cref="UsageException"/> with a message a user can act on.</summary>
    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help") throw new UsageException(null);
        if (args[0] != "scan") throw new UsageException($"Unknown command '{args[0]}'.");
        string? target = null, output = null, failOn = null, platform = null;
        var advisories = new List<string>();
        var enhanced = true;
        var format = ReportFormat.Table;
        var insecure = false;
        for (var i = 1; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--advisories": advisories.Add(Value()); break;
                case "--scan-type":
                    enhanced = Value().ToLowerInvariant() switch
                    {
                        "basic" => false,
                        "enhanced" => true,
                        var other => throw new UsageException($"--scan-type is basic or enhanced, not '{other}'."),
                    };
                    break;
                case "--format":
                    format = Value().ToLowerInvariant() switch
                    {
                        "table" => ReportFormat.Table,
                        "json" => ReportFormat.Json,
                        "sarif" => ReportFormat.Sarif,
                        "cyclonedx" => ReportFormat.CycloneDx,
                        var other => throw new UsageException($"--format is table, json, sarif or cyclonedx, not '{other}'."),
                    };
                    break;
                case "--output": output = Value(); break;
                case "--fail-on":
                    failOn = Value().ToUpperInvariant();
                    if (Reports.SeverityOrder.Rank(failOn) < 0) throw new UsageException($"--fail-on takes LOW, MEDIUM, HIGH or CRITICAL, not '{failOn}'.");
                    break;
                case "--platform": platform = Value(); break;
                case "--insecure": insecure = true; break;
                case var flag when flag.StartsWith("--", StringComparison.Ordinal): throw new UsageException($"Unknown option {flag}.");
                default:
                    if (target is not null) throw new UsageException($"One target at a time: '{target}' and '{args[i]}'.");
                    target = args[i];
                    break;
            }
        }
        if (target is null) throw new UsageException("No TARGET given.");
        if (advisories.Count == 0) throw new UsageException("No --advisories given: name a directory or zip of OSV advisories.");
        return new CommandLineOptions
        {
            Target = target, Advisories = advisories, Enhanced = enhanced, Format = format, Output = output, FailOn = failOn,
            Platform = platform, Insecure = insecure,
        };
    }
}

public sealed class UsageException(string? message) : Exception(message ?? "");
