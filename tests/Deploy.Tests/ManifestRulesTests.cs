using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Deploy.Tests;

/// <summary>What the schemas cannot say: the rules docs/kubernetes.md promises of the manifests.</summary>
[TestFixture]
public sealed class ManifestRulesTests
{
    private static readonly string[] Services = ["gateway", "scan-router", "basic-scanner", "enhanced-scanner", "cve-feed", "findings"];

    private static IEnumerable<Manifest> Deployments => DeployManifests.OfKind("Deployment");

    [Test]
    public void Each_service_has_a_deployment_and_a_service()
    {
        Assert.That(Deployments.Select(d => d.Name), Is.EquivalentTo(Services));
        Assert.That(DeployManifests.OfKind("Service").Select(s => s.Name), Is.EquivalentTo(Services));
    }

    [TestCaseSource(nameof(Services))]
    public void The_deployment_is_probed_bounded_and_locked_down(string service)
    {
        var spec = DeployManifests.Single("Deployment", service).Object["spec"]!["template"]!["spec"]!;
        var container = spec["containers"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)container["livenessProbe"]?["httpGet"]?["path"], Is.EqualTo("/health/live"));
            Assert.That((string?)container["readinessProbe"]?["httpGet"]?["path"], Is.EqualTo("/health/ready"));
            Assert.That(container["resources"]?["requests"]?["cpu"], Is.Not.Null);
            Assert.That(container["resources"]?["requests"]?["memory"], Is.Not.Null);
            Assert.That(container["resources"]?["limits"]?["memory"], Is.Not.Null);
            Assert.That((bool?)spec["securityContext"]?["runAsNonRoot"], Is.True);
            Assert.That((bool?)container["securityContext"]?["readOnlyRootFilesystem"], Is.True);
            Assert.That((bool?)container["securityContext"]?["allowPrivilegeEscalation"], Is.False);
            Assert.That(container["securityContext"]?["capabilities"]?["drop"]?.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "ALL" }));
        });
    }

    [TestCaseSource(nameof(Services))]
    public void Secrets_come_by_reference_only(string service)
    {
        var container = DeployManifests.Single("Deployment", service).Object["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var secretLike = env.Where(e => ((string)e["name"]!).EndsWith("Password", StringComparison.Ordinal) ||
                                        ((string)e["name"]!).EndsWith("Token", StringComparison.Ordinal) ||
                                        ((string)e["name"]!).EndsWith("ConnectionString", StringComparison.Ordinal)).ToList();

        Assert.That(secretLike, Has.Count.GreaterThanOrEqualTo(5));
        Assert.That(secretLike.Where(e => e["valueFrom"]?["secretKeyRef"] is null).Select(e => (string?)e["name"]), Is.Empty);
    }

    [Test]
    public void Placeholders_appear_only_in_the_examples()
    {
        var withPlaceholder = DeployManifests.All.Where(m => m.Object.ToJsonString().Contains("change-me", StringComparison.Ordinal)).ToList();

        Assert.That(withPlaceholder, Is.Not.Empty);
        Assert.That(withPlaceholder.Where(m => !m.File.StartsWith("examples", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void The_kustomization_lists_every_manifest_but_the_examples()
    {
        var resources = DeployManifests.OfKind("Kustomization").Single().Object["resources"]!.AsArray().Select(r => (string)r!);
        var files = DeployManifests.All.Select(m => m.File).Distinct()
            .Where(f => f != "kustomization.yaml" && !f.StartsWith("examples", StringComparison.Ordinal));

        Assert.That(resources, Is.EquivalentTo(files));
        Assert.That(DeployManifests.Objects.Where(m => m.Kind == "Secret").Select(m => m.File).Distinct(),
            Is.EqualTo(new[] { Path.Combine("examples", "secrets.example.yaml") }));
    }

    [Test]
    public void Every_secret_a_deployment_names_has_an_example()
    {
        var examples = DeployManifests.OfKind("Secret").ToDictionary(s => s.Name, s => s.Object["stringData"]!.AsObject());
        var references = Deployments.SelectMany(d => d.Object["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
            .SelectMany(c => c!["env"]!.AsArray()).Select(e => e!["valueFrom"]?["secretKeyRef"]).OfType<JsonObject>()
            .Select(r => ((string)r["name"]!, (string)r["key"]!)).Distinct().ToList();
        // The operator writes the connection strings; the example holds the passwords it derives them from.
        var ours = references.Where(r => !r.Item1.StartsWith("imagescanning-mongo-", StringComparison.Ordinal)).ToList();

        Assert.That(ours, Is.Not.Empty);
        Assert.That(ours.Where(r => !examples.TryGetValue(r.Item1, out var data) || !data.ContainsKey(r.Item2)), Is.Empty);
        foreach (var service in Services)
            Assert.That(examples, Does.ContainKey($"imagescanning-mongo-{service}-password"));
    }

    [Test]
    public void The_scanners_scale_on_the_queues_they_consume()
    {
        var scaled = DeployManifests.OfKind("ScaledObject").ToDictionary(
            s => (string)s.Object["spec"]!["scaleTargetRef"]!["name"]!,
            s => s.Object["spec"]!["triggers"]!.AsArray().Select(t => t!.AsObject()).ToList());
        var authentications = DeployManifests.OfKind("TriggerAuthentication").Select(t => t.Name).ToHashSet();

        Assert.That(scaled.Keys, Is.EquivalentTo(new[] { "basic-scanner", "enhanced-scanner" }));
        Assert.That(scaled["basic-scanner"].Select(Queue), Is.EqualTo(new[] { QueueNames.BasicScanner }));
        Assert.That(scaled["enhanced-scanner"].Select(Queue), Is.EquivalentTo(new[] { QueueNames.EnhancedScanner, QueueNames.EnhancedRescanner }));
        foreach (var trigger in scaled.Values.SelectMany(t => t))
        {
            Assert.That((string?)trigger["type"], Is.EqualTo("rabbitmq"));
            Assert.That(authentications, Does.Contain((string?)trigger["authenticationRef"]?["name"]));
        }
    }

    [Test]
    public void Each_scanner_has_a_disruption_budget()
    {
        var selected = DeployManifests.OfKind("PodDisruptionBudget")
            .Select(p => (string?)p.Object["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]);

        Assert.That(selected, Is.EquivalentTo(new[] { "basic-scanner", "enhanced-scanner" }));
    }

    [Test]
    public void Traffic_is_denied_unless_a_policy_allows_it()
    {
        var deny = DeployManifests.Single("NetworkPolicy", "default-deny").Object["spec"]!;

        Assert.That(deny["podSelector"]!.AsObject(), Is.Empty);
        Assert.That(deny["policyTypes"]!.AsArray().Select(t => (string?)t), Is.EquivalentTo(new[] { "Ingress", "Egress" }));
        Assert.That(deny["ingress"], Is.Null);
        Assert.That(deny["egress"], Is.Null);
    }

    private static string Queue(JsonObject trigger) => (string)trigger["metadata"]!["queueName"]!;
}
