using ImageScanning.Contracts;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScannerCore.Testing;

/// <summary>Testing:* hooks of the fault-injection suite. Off unless configured; never set them in production.</summary>
public sealed class ScannerFaultInjectionOptions
{
    public const string Section = "Testing";

    /// <summary>Every scan of an image in this repository throws, every attempt: MassTransit retries, then faults (Fault&lt;ScanImage&gt;).</summary>
    public string? FailScansOfRepository { get; set; }

    /// <summary>
    /// Every scan of an image in this repository kills the scanner process (Environment.FailFast) after its attempt was recorded:
    /// what an image that runs the scanner out of memory does. The attempt counter and the queue's delivery limit end it.
    /// </summary>
    public string? CrashScansOfRepository { get; set; }
}

/// <summary>Applies <see cref="ScannerFaultInjectionOptions"/> at the start of a scan.</summary>
public sealed class ScannerFaultInjection(IOptions<ScannerFaultInjectionOptions> options)
{
    private readonly ScannerFaultInjectionOptions _options = options.Value;

    public void BeforeScan(ScanImage scan)
    {
        var repository = scan.Image.Repository;
        if (Matches(_options.CrashScansOfRepository, repository))
            Environment.FailFast($"Injected crash (Testing:CrashScansOfRepository): scanning {repository}@{scan.Image.Digest}, scan {scan.ScanId}.");
        if (Matches(_options.FailScansOfRepository, repository))
            throw new InvalidOperationException($"Injected failure (Testing:FailScansOfRepository): scanning {repository}@{scan.Image.Digest}.");
    }

    private static bool Matches(string? configured, string repository) =>
        !string.IsNullOrEmpty(configured) && string.Equals(configured, repository, StringComparison.Ordinal);
}
