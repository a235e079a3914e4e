using System.Text.Json.Nodes;

namespace ImageScanning.Deploy.Tests;

/// <summary>
/// Every object under deploy/kubernetes against the strict schema of its apiVersion and kind (KubernetesSchemas): Kubernetes'
/// own kinds and KEDA's. The RabbitMQ and MongoDB operators publish their CRDs on no registry reachable here, so of their
/// resources the embedded Kubernetes parts (resources, volumes, volume claim templates) are checked instead.
/// </summary>
[TestFixture]
public sealed class KubernetesSchemaTests
{
    /// <summary>Custom resources whose CRD schema is served by no npm or NuGet package.</summary>
    private static readonly HashSet<(string, string)> WithoutServedSchema =
    [
        ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
        ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"),
    ];

    private static IEnumerable<TestCaseData> Objects() => DeployManifests.Objects
        .Where(m => !WithoutServedSchema.Contains((m.ApiVersion, m.Kind)))
        .Select(m => new TestCaseData(m).SetArgDisplayNames(m.ToString()));

    [TestCaseSource(nameof(Objects))]
    public async Task The_object_matches_the_schema_of_its_kind(Manifest manifest)
    {
        var schemas = await KubernetesSchemas.GetAsync();
        var definition = schemas.DefinitionOf(manifest.ApiVersion, manifest.Kind);

        Assert.That(definition, Is.Not.Null, $"no schema for {manifest.ApiVersion} {manifest.Kind}");
        var errors = schemas.Errors(definition!, manifest.Object);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
    }

    [Test]
    public async Task The_operators_resources_embed_valid_Kubernetes_parts()
    {
        var schemas = await KubernetesSchemas.GetAsync();
        var rabbit = DeployManifests.OfKind("RabbitmqCluster").Single().Object["spec"]!;
        var podSpec = rabbit["override"]!["statefulSet"]!["spec"]!["template"]!["spec"]!;
        var mongo = DeployManifests.OfKind("MongoDBCommunity").Single().Object["spec"]!;
        var parts = new List<(string Definition, JsonNode? Part)> { ("io.k8s.api.core.v1.ResourceRequirements", rabbit["resources"]) };
        parts.AddRange(podSpec["volumes"]!.AsArray().Select(v => ("io.k8s.api.core.v1.Volume", v)));
        parts.AddRange(podSpec["containers"]!.AsArray().SelectMany(c => c!["volumeMounts"]!.AsArray()).Select(v => ("io.k8s.api.core.v1.VolumeMount", v)));
        foreach (var template in mongo["statefulSet"]!["spec"]!["volumeClaimTemplates"]!.AsArray())
        {
            parts.Add(("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", template!["metadata"]));
            parts.Add(("io.k8s.api.core.v1.PersistentVolumeClaimSpec", template["spec"]));
        }

        var errors = parts.SelectMany(p => schemas.Errors(p.Definition, p.Part)).ToList();
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(parts, Has.Count.GreaterThanOrEqualTo(5));
    }

    [Test]
    public async Task An_unknown_field_or_a_wrong_type_in_a_deployment_is_refused()
    {
        var schemas = await KubernetesSchemas.GetAsync();
        var definition = schemas.DefinitionOf("apps/v1", "Deployment")!;
        var typo = Gateway();
        typo["spec"]!["template"]!["spec"]!["containers"]![0]!["livenessprobe"] = new JsonObject();
        var wrongType = Gateway();
        wrongType["spec"]!["replicas"] = "two";
        var missing = Gateway();
        missing["spec"]!.AsObject().Remove("selector");

        Assert.Multiple(() =>
        {
            Assert.That(schemas.Errors(definition, Gateway()), Is.Empty);
            Assert.That(schemas.Errors(definition, typo), Has.Some.StartsWith("/spec/template/spec/containers/0/livenessprobe "), "unknown field");
            Assert.That(schemas.Errors(definition, wrongType), Has.Some.StartsWith("/spec/replicas "), "wrong type");
            Assert.That(schemas.Errors(definition, missing), Has.Some.Contains("selector"), "missing required field");
        });
    }

    [Test]
    public async Task A_scaled_object_keda_would_not_accept_is_refused()
    {
        var schemas = await KubernetesSchemas.GetAsync();
        var definition = schemas.DefinitionOf("keda.sh/v1alpha1", "ScaledObject")!;
        var misplaced = Basic();
        // queueName belongs in the trigger's metadata.
        misplaced["spec"]!["triggers"]![0]!["queueName"] = "basic-scanner";
        var noTarget = Basic();
        noTarget["spec"]!.AsObject().Remove("scaleTargetRef");
        var wrongType = Basic();
        wrongType["spec"]!["maxReplicaCount"] = "ten";

        Assert.Multiple(() =>
        {
            Assert.That(schemas.Errors(definition, Basic()), Is.Empty);
            Assert.That(schemas.Errors(definition, misplaced), Has.Some.StartsWith("/spec/triggers/0/queueName "), "unknown field");
            Assert.That(schemas.Errors(definition, noTarget), Has.Some.Contains("scaleTargetRef"), "missing scaleTargetRef");
            Assert.That(schemas.Errors(definition, wrongType), Has.Some.StartsWith("/spec/maxReplicaCount "), "wrong type");
        });
    }

    private static JsonObject Gateway() => DeployManifests.Single("Deployment", "gateway").Object.DeepClone().AsObject();

    private static JsonObject Basic() => DeployManifests.Single("ScaledObject", "basic-scanner").Object.DeepClone().AsObject();
}
