using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.Deploy.Tests;

/// <summary>One YAML document of deploy/kubernetes: its file (relative to that folder), its place in the file, and the object.</summary>
public sealed record Manifest(string File, int Index, JsonObject Object)
{
    public string ApiVersion => (string)Object["apiVersion"]!;
    public string Kind => (string)Object["kind"]!;
    public string Name => (string?)Object["metadata"]?["name"] ?? "";

    public override string ToString() => $"{File}#{Index} {Kind} {Name}";
}

/// <summary>Every YAML document under deploy/kubernetes, examples included.</summary>
public static class DeployManifests
{
    public static string Folder { get; } = Path.Combine(Corpus.RepositoryRoot, "deploy", "kubernetes");

    public static IReadOnlyList<Manifest> All { get; } = Load();

    /// <summary>The Kubernetes objects: all but kustomization.yaml, which only kustomize reads.</summary>
    public static IEnumerable<Manifest> Objects => All.Where(m => m.Kind != "Kustomization");

    public static IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    public static Manifest Single(string kind, string name) => All.Single(m => m.Kind == kind && m.Name == name);

    private static List<Manifest> Load() =>
        Directory.EnumerateFiles(Folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(path => YamlDocuments.Load(path).Select((document, index) =>
                new Manifest(Path.GetRelativePath(Folder, path), index, document as JsonObject
                    ?? throw new InvalidOperationException($"{path} document {index} is not a mapping"))))
            .ToList();
}
