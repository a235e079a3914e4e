using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>
/// ECR's deprecated per-repository <c>scanOnPush</c> (PutImageScanningConfiguration). Registry-level rules replaced it:
/// it is honoured only while the registry uses BASIC scanning with no rules at all, where it makes that repository
/// SCAN_ON_PUSH; once any rule exists, or under ENHANCED, the registry's rules alone decide (ECR's behaviour since
/// registry scanning configurations were introduced).
/// </summary>
public static class LegacyScanOnPush
{
    public static bool Applies(RegistryScanningConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ScanType == ScanType.BASIC && (config.Rules?.Count ?? 0) == 0;
    }

    public static RepositoryScanning Evaluate(RegistryScanningConfiguration config, string repositoryName, bool repositoryScanOnPush)
    {
        var scanning = ScanningRules.Evaluate(config, repositoryName);
        return repositoryScanOnPush && Applies(config)
            ? scanning with { ScanFrequency = ScanFrequency.SCAN_ON_PUSH, ScanOnPush = true }
            : scanning;
    }

    public static PushDecision Decide(RegistryScanningConfiguration config, ImagePushed pushed, bool repositoryScanOnPush)
    {
        ArgumentNullException.ThrowIfNull(pushed);
        var decision = ScanningRules.Decide(config, pushed);
        if (decision.Scan || !repositoryScanOnPush || !Applies(config)) return decision;
        if (pushed.MediaType is not null && ScanningRules.ImageIndexMediaTypes.Contains(pushed.MediaType))
            return decision with { SkipReason = ScanningRules.SkipReasonImageIndex };
        return decision with { Scan = true, ScanFrequency = ScanFrequency.SCAN_ON_PUSH, Target = ScannerTarget.Basic, SkipReason = null };
    }
}
