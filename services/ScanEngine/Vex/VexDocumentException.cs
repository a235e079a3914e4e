namespace ImageScanning.ScanEngine.Vex;

/// <summary>A VEX document that cannot be read: the message names the format and the field at fault.</summary>
public sealed class VexDocumentException(VexFormat? format, string field, string problem, Exception? inner = null)
    : Exception($"{(format is { } f ? Name(f) : "VEX")} document: {field}: {problem}", inner)
{
    public VexFormat? Format { get; } = format;

    /// <summary>The JSON path of the field at fault ("statements[3].status"), or "(document)".</summary>
    public string Field { get; } = field;

    public static string Name(VexFormat format) => format switch
    {
        VexFormat.OpenVex => "OpenVEX",
        VexFormat.CycloneDx => "CycloneDX VEX",
        _ => "CSAF VEX",
    };
}
