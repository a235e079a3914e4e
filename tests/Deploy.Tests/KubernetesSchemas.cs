using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace ImageScanning.Deploy.Tests;

/// <summary>
/// The Kubernetes API's object schemas and KEDA's CRD schemas, as JSON Schema (2020-12) for JsonSchema.Net. They come from
/// npm at test time: kubernetes-models 4.3.1 (generated from Kubernetes 1.27.1's OpenAPI document) with
/// @kubernetes-models/apimachinery 1.2.2 (ObjectMeta, Quantity, IntOrString, ...), and @kubernetes-models/keda 0.3.2
/// (generated from the openAPIV3Schema of KEDA's CRDs). These versions ship each definition as a JSON literal
/// (<c>const schema = {...}</c>, registered under its OpenAPI name); later ones ship compiled validators instead.
/// Made strict as kubeconform's -strict schemas are: an object schema that lists its properties allows no others (the API
/// server would drop or refuse them), and OpenAPI's <c>nullable: true</c> becomes "or null".
/// </summary>
public sealed partial class KubernetesSchemas
{
    public const string KubernetesModels = "kubernetes-models@4.3.1";
    public const string Apimachinery = "@kubernetes-models/apimachinery@1.2.2";
    public const string Keda = "@kubernetes-models/keda@0.3.2";

    private static readonly Lazy<Task<KubernetesSchemas>> Shared = new(LoadAsync);
    private readonly JsonObject _definitions;
    private readonly IReadOnlyDictionary<(string ApiVersion, string Kind), string> _kinds;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    private KubernetesSchemas(JsonObject definitions, IReadOnlyDictionary<(string, string), string> kinds)
    {
        _definitions = definitions;
        _kinds = kinds;
    }

    public static Task<KubernetesSchemas> GetAsync() => Shared.Value;

    /// <summary>The definition name (io.k8s.api.apps.v1.Deployment, keda.sh.v1alpha1.ScaledObject) of a kind; null when none is known.</summary>
    public string? DefinitionOf(string apiVersion, string kind) => _kinds.GetValueOrDefault((apiVersion, kind));

    public bool HasDefinition(string name) => _definitions.ContainsKey(name);

    /// <summary>The errors of <paramref name="instance"/> against the definition <paramref name="name"/>, as "location: message" lines.</summary>
    public IReadOnlyList<string> Errors(string name, JsonNode? instance)
    {
        var schema = _schemas.GetOrAdd(name, n =>
        {
            if (!_definitions.ContainsKey(n)) throw new AssertionException($"no schema definition {n}");
            var root = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = _definitions.DeepClone(),
                ["$ref"] = "#/$defs/" + n,
            };
            return JsonSchema.FromText(root.ToJsonString(), baseUri: new Uri($"https://kubernetes-schemas.test/{n}"));
        });
        using var document = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        return (results.Details ?? []).Prepend(results).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")).ToList();
    }

    private static async Task<KubernetesSchemas> LoadAsync()
    {
        var sources = await Task.WhenAll(
            NpmPackage.FilesAsync(KubernetesModels, IsSchemaModule("_schemas/")),
            NpmPackage.FilesAsync(Apimachinery, IsSchemaModule("_schemas/")),
            NpmPackage.FilesAsync(Keda, IsSchemaModule("keda.sh/")));
        var definitions = new JsonObject();
        var kinds = new Dictionary<(string, string), string>();
        foreach (var (path, module) in sources.SelectMany(files => files))
        {
            var literal = SchemaLiteral().Match(module);
            var name = RegisteredName().Match(module) is { Success: true } registered ? registered : SchemaId().Match(module);
            if (!literal.Success || !name.Success) throw new InvalidOperationException($"{path}: no schema literal or name");
            var original = JsonNode.Parse(literal.Groups[1].Value)!.AsObject();
            var id = name.Groups[1].Value;
            definitions[id] = Strict(original);
            if (original["properties"]?["apiVersion"]?["enum"]?[0] is JsonValue apiVersion && original["properties"]?["kind"]?["enum"]?[0] is JsonValue kind)
                kinds[((string)apiVersion!, (string)kind!)] = id;
        }
        return new KubernetesSchemas(definitions, kinds);
    }

    private static Func<string, bool> IsSchemaModule(string folder) =>
        path => path.StartsWith(folder, StringComparison.Ordinal) && path.EndsWith(".js", StringComparison.Ordinal) &&
                !path.EndsWith("index.js", StringComparison.Ordinal);

    /// <summary>One schema, its subschemas walked by keyword (so a property named "$ref" or "properties" stays a name).</summary>
    private static JsonNode Strict(JsonObject schema)
    {
        var result = new JsonObject();
        foreach (var (key, value) in schema)
        {
            result[key] = key switch
            {
                "properties" => new JsonObject(value!.AsObject().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Strict(p.Value!.AsObject())))),
                "items" or "not" => Strict(value!.AsObject()),
                "additionalProperties" when value is JsonObject inner => Strict(inner),
                "oneOf" or "anyOf" or "allOf" => new JsonArray(value!.AsArray().Select(s => (JsonNode?)Strict(s!.AsObject())).ToArray()),
                // "io.k8s.api.apps.v1.DeploymentSpec#": a definition by name.
                "$ref" => JsonValue.Create("#/$defs/" + ((string)value!).TrimEnd('#')),
                _ => value?.DeepClone(),
            };
        }
        if (result.ContainsKey("properties") && !result.ContainsKey("additionalProperties")) result["additionalProperties"] = false;
        if (result["nullable"] is not JsonValue nullable || !(bool)nullable!) return result;
        result.Remove("nullable");
        return new JsonObject { ["anyOf"] = new JsonArray(result, new JsonObject { ["type"] = "null" }) };
    }

    [GeneratedRegex(@"const schema = (\{\}|\{.*?\n\});\n", RegexOptions.Singleline)]
    private static partial Regex SchemaLiteral();

    [GeneratedRegex(@"register\)?\(""([^""]+)"", schema\)")]
    private static partial Regex RegisteredName();

    [GeneratedRegex(@"const schemaId = ""([^""]+)"";")]
    private static partial Regex SchemaId();
}
