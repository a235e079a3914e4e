namespace ImageScanning.Contracts;

public sealed record GetRegistryScanningConfiguration(string Registry);

public sealed record RegistryScanningConfigurationResult(string Registry, RegistryScanningConfiguration Configuration);

public sealed record PutRegistryScanningConfiguration(string Registry, RegistryScanningConfiguration Configuration);

/// <summary>The answer to a put: the stored configuration, or an ECR-style error.</summary>
public sealed record PutRegistryScanningConfigurationResult(RegistryScanningConfiguration? Configuration, string? ErrorType, string? ErrorMessage);
