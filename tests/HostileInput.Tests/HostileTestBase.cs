using System.Text.Json.Nodes;

namespace ImageScanning.HostileInput.Tests;

/// <summary>A temporary directory per test for the layouts it builds; cases run one at a time so that memory peaks are their own.</summary>
[NonParallelizable]
public abstract class HostileTestBase
{
    protected string Work { get; private set; } = "";

    [SetUp]
    public void CreateWork() => Work = Directory.CreateTempSubdirectory("hostile-").FullName;

    [TearDown]
    public void DeleteWork() => Directory.Delete(Work, recursive: true);

    protected OciLayout NewLayout(string name = "layout") => new(Path.Combine(Work, name));

    protected static JsonObject Report(ImagescanRun run) => JsonNode.Parse(run.Stdout)!.AsObject();

    protected static IReadOnlyList<string> PackageNames(ImagescanRun run) =>
        Report(run)["packages"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
}
