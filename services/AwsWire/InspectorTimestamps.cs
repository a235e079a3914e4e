using System.Globalization;
using System.Text.Json.Nodes;

namespace ImageScanning.AwsWire;

/// <summary>A timestamp in the form <see cref="InspectorFindingForm"/> asks for.</summary>
public static class InspectorTimestamps
{
    public static JsonNode? Render(DateTimeOffset? time, InspectorFindingForm form) => time switch
    {
        null => null,
        { } t => form switch
        {
            InspectorFindingForm.EventBridge => JsonValue.Create(DisplayTime(t)),
            InspectorFindingForm.RestApi => JsonValue.Create(t),
            _ => EpochSeconds(t),
        },
    };

    /// <summary>Epoch seconds as a JSON number with milliseconds, as the AWS JSON protocols send timestamps.</summary>
    public static JsonNode EpochSeconds(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000m);

    /// <summary>Inspector's display form in EventBridge, e.g. "Wed Sep 04 16:55:38.411 UTC 2024".</summary>
    public static string DisplayTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd MMM dd HH:mm:ss.fff 'UTC' yyyy", CultureInfo.InvariantCulture);
}
