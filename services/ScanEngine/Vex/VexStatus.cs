namespace ImageScanning.ScanEngine.Vex;

/// <summary>The four VEX statuses of OpenVEX and the CISA minimum requirements; CycloneDX and CSAF statuses map onto them.</summary>
public enum VexStatus
{
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

public static class VexStatuses
{
    /// <summary>The OpenVEX word ("not_affected", ...), the one the documents and the API use.</summary>
    public static string Word(this VexStatus status) => status switch
    {
        VexStatus.NotAffected => "not_affected",
        VexStatus.Affected => "affected",
        VexStatus.Fixed => "fixed",
        _ => "under_investigation",
    };

    /// <summary>True for the statuses that say the finding does not apply to this product (not_affected, fixed).</summary>
    public static bool Silences(this VexStatus status) => status is VexStatus.NotAffected or VexStatus.Fixed;
}
