using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.TestSupport;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>
/// Harbor's scanner-adapter OpenAPI document (corpus specs/harbor-scanner, v1.0, v1.1 or v1.2), read from YAML at test time, and
/// its components/schemas as JSON Schema (2020-12) for JsonSchema.Net: <c>#/components/schemas/X</c> references become
/// <c>#/$defs/X</c>, and OpenAPI 3.0's <c>nullable: true</c> becomes "or null". Formats (date-time, uri) are asserted.
/// </summary>
public sealed partial class HarborSpec
{
    private static readonly ConcurrentDictionary<string, HarborSpec> Specs = new();
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();
    private readonly JsonObject _definitions;

    private HarborSpec(string version, JsonObject document)
    {
        Version = version;
        Document = document;
        _definitions = (JsonObject)Rewrite(document["components"]!["schemas"]!.DeepClone())!;
    }

    public string Version { get; }

    /// <summary>The whole OpenAPI document as JSON.</summary>
    public JsonObject Document { get; }

    public static HarborSpec Load(string version) => Specs.GetOrAdd(version, v =>
    {
        var path = Corpus.PathOf("specs", "harbor-scanner", $"scanner-adapter-openapi-v{v}.yaml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        return new HarborSpec(v, (JsonObject)ToJson(yaml.Documents[0].RootNode)!);
    });

    /// <summary>The schema of one response: the media type's schema of <paramref name="path"/>'s operation and status.</summary>
    public JsonSchema ResponseSchema(string path, string method, int status, string mediaType)
    {
        var content = Document["paths"]![path]![method]!["responses"]![status.ToString(CultureInfo.InvariantCulture)]!["content"]!.AsObject();
        var schema = content[mediaType]?["schema"] ?? throw new AssertionException(
            $"spec v{Version}: {method.ToUpperInvariant()} {path} {status} has no {mediaType}; it has {string.Join(", ", content.Select(c => c.Key))}");
        var reference = (string)schema["$ref"]!;
        return Schema(reference["#/components/schemas/".Length..]);
    }

    /// <summary>components/schemas/<paramref name="name"/> as a JSON Schema.</summary>
    public JsonSchema Schema(string name) => _schemas.GetOrAdd(name, n =>
    {
        if (_definitions[n] is null) throw new AssertionException($"spec v{Version} has no schema {n}");
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = _definitions.DeepClone(),
            ["$ref"] = "#/$defs/" + n,
        };
        return JsonSchema.FromText(root.ToJsonString(), baseUri: new Uri($"https://harbor-scanner-spec.test/v{Version}/{n}"));
    });

    /// <summary>The schema's errors for <paramref name="json"/>, as "location: message" lines; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return [];
        return (results.Details ?? []).Prepend(results).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")).ToList();
    }

    private static JsonNode? Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList()) o[key] = Rewrite(o[key]?.DeepClone());
                if (o["$ref"] is JsonValue r && ((string)r!).StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    o["$ref"] = "#/$defs/" + ((string)r!)["#/components/schemas/".Length..];
                if (o["nullable"] is JsonValue n && (bool)n!)
                {
                    o.Remove("nullable");
                    return new JsonObject { ["anyOf"] = new JsonArray(o.DeepClone(), new JsonObject { ["type"] = "null" }) };
                }
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = Rewrite(a[i]?.DeepClone());
                return a;
            default:
                return node;
        }
    }

    /// <summary>YAML to JSON: plain scalars that YAML 1.2's core schema types (booleans, null, numbers) become those, the rest strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

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
