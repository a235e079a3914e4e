using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>Which scanner queue a scan goes to: BASIC → the basic scanner, ENHANCED → the enhanced scanner.</summary>
public enum ScannerTarget { Basic, Enhanced }

/// <summary>
/// The effective scanning of one repository under a registry configuration; the fields of
/// BatchGetRepositoryScanningConfiguration's <c>RepositoryScanningConfiguration</c> plus the scan type and,
/// when scanning is off, Inspector's coverage reason.
/// </summary>
/// <param name="ScanningEnabled">False only under ENHANCED for a repository no rule selects (console "Off").</param>
/// <param name="ScanOnPush">Whether a push starts a scan (SCAN_ON_PUSH and CONTINUOUS_SCAN both do).</param>
/// <param name="AppliedScanFilters">The filters of the winning rule that select this repository; empty when none applied.</param>
/// <param name="DisabledReason"><see cref="ScanningRules.ScanFrequencyManualReason"/> when scanning is off, else null.</param>
public sealed record RepositoryScanning(
    string RepositoryName,
    ScanType ScanType,
    ScanFrequency ScanFrequency,
    bool ScanningEnabled,
    bool ScanOnPush,
    IReadOnlyList<ScanningRepositoryFilter> AppliedScanFilters,
    string? DisabledReason);

/// <summary>What to do with a pushed image: scan it (with which type, on which scanner) or skip it, and why.</summary>
public sealed record PushDecision(
    bool Scan,
    ScanType ScanType,
    ScanFrequency ScanFrequency,
    ScannerTarget? Target,
    string? SkipReason,
    IReadOnlyList<ScanningRepositoryFilter> AppliedScanFilters)
{
    /// <summary>A BASIC push scan counts toward the once-per-24-h image quota: reserve it in the store before sending.</summary>
    public bool CountsTowardBasicQuota => Scan && ScanType == ScanType.BASIC;
}

/// <summary>
/// ECR's rule semantics as pure functions (INTERFACES §1.3):
/// <list type="bullet">
/// <item>A repository matches a rule when ANY of the rule's filters matches it (<see cref="WildcardFilter"/>).</item>
/// <item>BASIC: SCAN_ON_PUSH when a SCAN_ON_PUSH rule matches, else MANUAL (scans only through StartImageScan).
/// Scanning stays enabled: manual scans are allowed.</item>
/// <item>ENHANCED: CONTINUOUS_SCAN wins over SCAN_ON_PUSH when both match; no match → scanning off, reported as
/// MANUAL with <see cref="RepositoryScanning.ScanningEnabled"/> false and reason SCAN_FREQUENCY_MANUAL.
/// ENHANCED with no rules at all → CONTINUOUS_SCAN for every repository.</item>
/// </list>
/// Rules whose frequency the scan type does not support (which the validator rejects) never select anything.
/// </summary>
public static class ScanningRules
{
    /// <summary>Inspector's coverage reason for an image whose repository is not selected for enhanced scanning.</summary>
    public const string ScanFrequencyManualReason = "SCAN_FREQUENCY_MANUAL";

    public const string SkipReasonScanFrequencyManual = "scan frequency manual";
    public const string SkipReasonScanningOff = "scanning off for this repository";
    public const string SkipReasonImageIndex = "image index (manifest list) is not scanned; each platform image is scanned on its own push";

    /// <summary>Media types of multi-platform indexes. Neither basic scanning nor Inspector scans them (INTERFACES §1.4).</summary>
    public static readonly IReadOnlySet<string> ImageIndexMediaTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
    };

    /// <summary>ECR's configuration when none was put: BASIC with no rules (every repository MANUAL).</summary>
    public static RegistryScanningConfiguration DefaultConfiguration { get; } = new(ScanType.BASIC, []);

    public static RepositoryScanning Evaluate(RegistryScanningConfiguration config, string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(repositoryName);
        var rules = config.Rules ?? [];

        if (config.ScanType == ScanType.ENHANCED)
        {
            if (rules.Count == 0)
                return new(repositoryName, ScanType.ENHANCED, ScanFrequency.CONTINUOUS_SCAN, true, true, [], null);

            foreach (var frequency in (ScanFrequency[])[ScanFrequency.CONTINUOUS_SCAN, ScanFrequency.SCAN_ON_PUSH])
            {
                var applied = MatchingFilters(rules, frequency, repositoryName);
                if (applied.Count > 0)
                    return new(repositoryName, ScanType.ENHANCED, frequency, true, true, applied, null);
            }
            return new(repositoryName, ScanType.ENHANCED, ScanFrequency.MANUAL, false, false, [], ScanFrequencyManualReason);
        }

        var onPush = MatchingFilters(rules, ScanFrequency.SCAN_ON_PUSH, repositoryName);
        return onPush.Count > 0
            ? new(repositoryName, ScanType.BASIC, ScanFrequency.SCAN_ON_PUSH, true, true, onPush, null)
            : new(repositoryName, ScanType.BASIC, ScanFrequency.MANUAL, true, false, [], null);
    }

    /// <summary>Whether and where to scan an image pushed to <paramref name="repositoryName"/>.</summary>
    public static PushDecision Decide(RegistryScanningConfiguration config, string repositoryName)
    {
        var scanning = Evaluate(config, repositoryName);
        if (scanning.ScanOnPush)
        {
            var target = scanning.ScanType == ScanType.ENHANCED ? ScannerTarget.Enhanced : ScannerTarget.Basic;
            return new(true, scanning.ScanType, scanning.ScanFrequency, target, null, scanning.AppliedScanFilters);
        }
        var reason = scanning.ScanningEnabled ? SkipReasonScanFrequencyManual : SkipReasonScanningOff;
        return new(false, scanning.ScanType, scanning.ScanFrequency, null, reason, scanning.AppliedScanFilters);
    }

    /// <summary>
    /// <see cref="Decide(RegistryScanningConfiguration, string)"/> for a push event. An image index (manifest list) is
    /// skipped: neither scanner supports it, and a registry reports each platform manifest as its own push.
    /// </summary>
    public static PushDecision Decide(RegistryScanningConfiguration config, ImagePushed pushed)
    {
        ArgumentNullException.ThrowIfNull(pushed);
        var decision = Decide(config, pushed.Repository);
        return decision.Scan && pushed.MediaType is not null && ImageIndexMediaTypes.Contains(pushed.MediaType)
            ? decision with { Scan = false, Target = null, SkipReason = SkipReasonImageIndex }
            : decision;
    }

    /// <summary>StartImageScan is a basic-scanning operation; enhanced scanning has no manual scans (2023 user guide).</summary>
    public static bool AllowsManualScan(RegistryScanningConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ScanType == ScanType.BASIC;
    }

    private static List<ScanningRepositoryFilter> MatchingFilters(
        IReadOnlyList<RegistryScanningRule> rules, ScanFrequency frequency, string repositoryName)
    {
        var applied = new List<ScanningRepositoryFilter>();
        foreach (var rule in rules)
        {
            if (rule is null || rule.ScanFrequency != frequency || rule.RepositoryFilters is null) continue;
            foreach (var filter in rule.RepositoryFilters)
            {
                if (filter is not null && filter.Filter is not null && WildcardFilter.Matches(filter, repositoryName) && !applied.Contains(filter))
                    applied.Add(filter);
            }
        }
        return applied;
    }
}
