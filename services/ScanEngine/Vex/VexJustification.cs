namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// Why a product is not affected: the five justifications OpenVEX and CSAF share (CSAF writes them as
/// <c>flags[].label</c>). CycloneDX's own <c>analysis.justification</c> words map onto them (<see cref="VexJustifications.FromCycloneDx"/>),
/// and the statement keeps the document's word as well.
/// </summary>
public enum VexJustification
{
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

public static class VexJustifications
{
    public static string Word(this VexJustification justification) => justification switch
    {
        VexJustification.ComponentNotPresent => "component_not_present",
        VexJustification.VulnerableCodeNotPresent => "vulnerable_code_not_present",
        VexJustification.VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
        VexJustification.VulnerableCodeCannotBeControlledByAdversary => "vulnerable_code_cannot_be_controlled_by_adversary",
        _ => "inline_mitigations_already_exist",
    };

    /// <summary>An OpenVEX justification or a CSAF flag label; null for any other word.</summary>
    public static VexJustification? FromOpenVex(string? word) => word switch
    {
        "component_not_present" => VexJustification.ComponentNotPresent,
        "vulnerable_code_not_present" => VexJustification.VulnerableCodeNotPresent,
        "vulnerable_code_not_in_execute_path" => VexJustification.VulnerableCodeNotInExecutePath,
        "vulnerable_code_cannot_be_controlled_by_adversary" => VexJustification.VulnerableCodeCannotBeControlledByAdversary,
        "inline_mitigations_already_exist" => VexJustification.InlineMitigationsAlreadyExist,
        _ => null,
    };

    /// <summary>
    /// A CycloneDX 1.4+ <c>analysis.justification</c> in OpenVEX terms, as the CISA "VEX status justifications" paper lines
    /// them up: code_not_present → vulnerable_code_not_present, code_not_reachable → vulnerable_code_not_in_execute_path,
    /// requires_dependency → component_not_present, requires_configuration and requires_environment →
    /// vulnerable_code_cannot_be_controlled_by_adversary, protected_by_compiler, protected_at_runtime, protected_at_perimeter
    /// and protected_by_mitigating_control → inline_mitigations_already_exist. Null for any other word.
    /// </summary>
    public static VexJustification? FromCycloneDx(string? word) => word switch
    {
        "code_not_present" => VexJustification.VulnerableCodeNotPresent,
        "code_not_reachable" => VexJustification.VulnerableCodeNotInExecutePath,
        "requires_dependency" => VexJustification.ComponentNotPresent,
        "requires_configuration" or "requires_environment" => VexJustification.VulnerableCodeCannotBeControlledByAdversary,
        "protected_by_compiler" or "protected_at_runtime" or "protected_at_perimeter" or "protected_by_mitigating_control"
            => VexJustification.InlineMitigationsAlreadyExist,
        _ => null,
    };
}
