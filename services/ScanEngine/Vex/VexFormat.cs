namespace ImageScanning.ScanEngine.Vex;

/// <summary>The VEX document formats read.</summary>
public enum VexFormat
{
    OpenVex,
    CycloneDx,
    Csaf,
}
