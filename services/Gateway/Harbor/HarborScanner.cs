using System.Reflection;
using System.Text.Json.Nodes;

namespace ImageScanning.Gateway.Harbor;

/// <summary>The Scanner object of metadata and reports: this platform, by name, vendor and version.</summary>
public static class HarborScanner
{
    public const string Name = "ImageScanning";
    public const string Vendor = "ImageScanning platform";

    /// <summary>The Gateway's informational version (the build's), without source-revision metadata.</summary>
    public static readonly string Version =
        (typeof(HarborScanner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];

    public static JsonObject Json() => new() { ["name"] = Name, ["vendor"] = Vendor, ["version"] = Version };
}
