namespace ImageScanning.Cli.Cli;

public enum ReportFormat { Table, Json, Sarif, CycloneDx }

/// <summary>A mistake in the command line: the message names what was wrong; the command exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
