using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>What a new advisory (or the expiry sweep) does with one catalogued image.</summary>
public enum RescanOutcome
{
    /// <summary>Re-match its stored inventory now.</summary>
    Rescan,

    /// <summary>Not re-scanned and not expired: BASIC registry, SCAN_ON_PUSH or MANUAL repository, or never scanned.</summary>
    NotEligible,

    /// <summary>Its re-scan window has passed: becomes SCAN_ELIGIBILITY_EXPIRED (once) and is no longer re-scanned.</summary>
    Expire,

    /// <summary>Expired earlier and nothing brought it back.</summary>
    AlreadyExpired,
}

/// <summary>
/// Inspector's re-scan eligibility (INTERFACES §2.3) as a pure function. An image of an ENHANCED registry stays monitored while its
/// push date is within rescanDuration (LIFETIME: always) OR its last pull is within pullDateRescanDuration. Outside both windows
/// it expires, whatever its repository's frequency (the console shows "Scan eligibility expired (Continuous / On push)"), but only
/// CONTINUOUS_SCAN repositories are re-scanned. Lengthening a duration reactivates nothing; a pull after the expiry, inside the pull
/// window, does.
/// </summary>
public static class RescanEligibility
{
    /// <summary>The catalog's status description of an expired image.</summary>
    public const string ExpiredDescription = "The configured re-scan duration has lapsed; the image is no longer monitored.";

    /// <summary>§2.3: the default for new accounts is 14 days from the push.</summary>
    public static EcrRescanConfiguration DefaultConfiguration { get; } = new(EcrRescanDuration.DAYS_14);

    public static TimeSpan? Window(EcrRescanDuration duration) => duration switch
    {
        EcrRescanDuration.LIFETIME => null,
        EcrRescanDuration.DAYS_3 => TimeSpan.FromDays(3),
        EcrRescanDuration.DAYS_7 => TimeSpan.FromDays(7),
        EcrRescanDuration.DAYS_14 => TimeSpan.FromDays(14),
        EcrRescanDuration.DAYS_30 => TimeSpan.FromDays(30),
        EcrRescanDuration.DAYS_60 => TimeSpan.FromDays(60),
        EcrRescanDuration.DAYS_90 => TimeSpan.FromDays(90),
        EcrRescanDuration.DAYS_180 => TimeSpan.FromDays(180),
        _ => throw new ArgumentOutOfRangeException(nameof(duration), duration, "Unknown rescan duration."),
    };

    public static TimeSpan Window(EcrPullDateRescanDuration duration) => duration switch
    {
        EcrPullDateRescanDuration.DAYS_3 => TimeSpan.FromDays(3),
        EcrPullDateRescanDuration.DAYS_7 => TimeSpan.FromDays(7),
        EcrPullDateRescanDuration.DAYS_14 => TimeSpan.FromDays(14),
        EcrPullDateRescanDuration.DAYS_30 => TimeSpan.FromDays(30),
        EcrPullDateRescanDuration.DAYS_60 => TimeSpan.FromDays(60),
        EcrPullDateRescanDuration.DAYS_90 => TimeSpan.FromDays(90),
        EcrPullDateRescanDuration.DAYS_180 => TimeSpan.FromDays(180),
        _ => throw new ArgumentOutOfRangeException(nameof(duration), duration, "Unknown pull-date rescan duration."),
    };

    /// <summary>Whether the push window or the pull window still holds the image at <paramref name="now"/>.</summary>
    public static bool InsideWindow(ImageRecord image, EcrRescanConfiguration rescan, DateTimeOffset now) =>
        InsidePushWindow(image, rescan, now) || InsidePullWindow(image, rescan, now);

    public static RescanOutcome Evaluate(
        RegistryScanningConfiguration scanning, EcrRescanConfiguration rescan, ImageRecord image, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scanning);
        ArgumentNullException.ThrowIfNull(rescan);
        ArgumentNullException.ThrowIfNull(image);
        var repository = ScanningRules.Evaluate(scanning, image.Repository);
        // Only images Inspector covers can expire: ENHANCED, selected by a rule, and scanned at least once.
        if (repository.ScanType != ScanType.ENHANCED || !repository.ScanningEnabled || image.ScanStatus is null)
            return RescanOutcome.NotEligible;

        if (image.ScanStatus == ScanStatus.SCAN_ELIGIBILITY_EXPIRED)
        {
            var pulledSinceExpiry = image.LastPulledAt is { } pulled && image.ScanStatusAt is { } expiredAt && pulled > expiredAt;
            if (!(pulledSinceExpiry && InsidePullWindow(image, rescan, now))) return RescanOutcome.AlreadyExpired;
        }
        else if (!InsideWindow(image, rescan, now))
        {
            return RescanOutcome.Expire;
        }
        return repository.ScanFrequency == ScanFrequency.CONTINUOUS_SCAN ? RescanOutcome.Rescan : RescanOutcome.NotEligible;
    }

    private static bool InsidePushWindow(ImageRecord image, EcrRescanConfiguration rescan, DateTimeOffset now) =>
        Window(rescan.RescanDuration) is not { } window || now - image.PushedAt <= window;

    private static bool InsidePullWindow(ImageRecord image, EcrRescanConfiguration rescan, DateTimeOffset now) =>
        rescan.PullDateRescanDuration is { } duration && image.LastPulledAt is { } pulled && now - pulled <= Window(duration);
}

/// <summary>Validates a re-scan configuration before it is stored: every member a defined value, the mode only with a pull duration.</summary>
public static class RescanConfigurationValidator
{
    public static ScanningError? Validate(EcrRescanConfiguration? configuration)
    {
        if (configuration is null) return new ScanningError(ScanningError.Validation, "ecrConfiguration is required.");
        if (!Enum.IsDefined(configuration.RescanDuration))
            return new ScanningError(ScanningError.Validation, $"rescanDuration must be one of {string.Join(", ", Enum.GetNames<EcrRescanDuration>())}.");
        if (configuration.PullDateRescanDuration is { } pull && !Enum.IsDefined(pull))
            return new ScanningError(ScanningError.Validation, $"pullDateRescanDuration must be one of {string.Join(", ", Enum.GetNames<EcrPullDateRescanDuration>())}.");
        if (configuration.PullDateRescanMode is { } mode && !Enum.IsDefined(mode))
            return new ScanningError(ScanningError.Validation, $"pullDateRescanMode must be one of {string.Join(", ", Enum.GetNames<EcrPullDateRescanMode>())}.");
        if (configuration.PullDateRescanMode is not null && configuration.PullDateRescanDuration is null)
            return new ScanningError(ScanningError.Validation, "pullDateRescanMode needs a pullDateRescanDuration.");
        return null;
    }
}
