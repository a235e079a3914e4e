using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ImageScanning.Deploy.Tests;

/// <summary>
/// YAML files as JSON, the form the schemas judge: every document of a stream, aliases and merge keys (<c>&lt;&lt;: *x</c>)
/// resolved, plain scalars typed by YAML 1.2's core schema (booleans, null, numbers), quoted ones kept as strings.
/// </summary>
public static partial class YamlDocuments
{
    public static IReadOnlyList<JsonNode?> Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.Select(d => ToJson(d.RootNode)).ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => Mapping(map),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    /// <summary>A mapping; its merge keys' mappings first, so that its own keys override theirs (YAML's merge key type).</summary>
    private static JsonObject Mapping(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children.Where(c => IsMerge(c.Key)))
        {
            var sources = value is YamlSequenceNode many ? many.Children : [value];
            foreach (var source in sources)
                foreach (var (name, merged) in Mapping((YamlMappingNode)source)) result[name] = merged?.DeepClone();
        }
        foreach (var (key, value) in map.Children.Where(c => !IsMerge(c.Key))) result[((YamlScalarNode)key).Value!] = ToJson(value);
        return result;
    }

    private static bool IsMerge(YamlNode key) => key is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain };

    private static JsonNode? Plain(string value)
    {
        if (value is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (value is "" or "~" or "null" or "Null" or "NULL") return null;
        if (IntegerPattern().IsMatch(value)) return JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture));
        if (FloatPattern().IsMatch(value)) return JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture));
        return JsonValue.Create(value);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
