using System.Text.Json.Serialization;

namespace ImageScanning.Contracts;

// Enum member names are the exact Inspector wire values (INTERFACES §2.3).
#pragma warning disable CA1707

/// <summary>Inspector's EcrRescanDuration, measured from the push date.</summary>
public enum EcrRescanDuration { LIFETIME, DAYS_3, DAYS_7, DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180 }

/// <summary>Inspector's EcrPullDateRescanDuration, measured from the last pull (no LIFETIME).</summary>
public enum EcrPullDateRescanDuration { DAYS_3, DAYS_7, DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180 }

/// <summary>Inspector's EcrPullDateRescanMode. This platform sees pulls only, so LAST_IN_USE_AT reads the last pull too.</summary>
public enum EcrPullDateRescanMode { LAST_PULL_DATE, LAST_IN_USE_AT }
#pragma warning restore CA1707

/// <summary>Inspector's ecrConfiguration: how long after a push or the last pull an image keeps being re-scanned.</summary>
public sealed record EcrRescanConfiguration(
    [property: JsonRequired] EcrRescanDuration RescanDuration,
    EcrPullDateRescanDuration? PullDateRescanDuration = null,
    EcrPullDateRescanMode? PullDateRescanMode = null);

public sealed record GetRescanConfiguration(string Registry);

/// <summary>The stored configuration (the §2.3 default DAYS_14 when none was put) and when it was last put (null: never).</summary>
public sealed record RescanConfigurationResult(string Registry, EcrRescanConfiguration Configuration, DateTimeOffset? UpdatedAt);

public sealed record PutRescanConfiguration(string Registry, EcrRescanConfiguration Configuration);

/// <summary>The stored configuration, or an Inspector-style error (ValidationException) and nothing changed.</summary>
public sealed record PutRescanConfigurationResult(EcrRescanConfiguration? Configuration, DateTimeOffset? UpdatedAt, string? ErrorType, string? ErrorMessage);
