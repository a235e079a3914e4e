using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.DotNet;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.DotNet;

[TestFixture]
public sealed class DotNetTests
{
    private static readonly DotNetEcosystem Ecosystem = new();
    private static readonly DepsJsonFinder Finder = new();
    private static byte[] TestLibrary => File.ReadAllBytes(Corpus.PathOf("inventory", "dotnet", "syft", "app", "TestLibrary.deps.json"));
    private static byte[] DataCollector => File.ReadAllBytes(Corpus.PathOf("inventory", "dotnet", "trivy", "app", "datacollector.deps.json"));

    [TestCase("app/TestLibrary.deps.json", true)]
    [TestCase("TestLibrary.deps.json", true)]
    [TestCase("usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json", true)]
    [TestCase("app/.deps.json", false)]
    [TestCase("app/TestLibrary.runtimeconfig.json", false)]
    [TestCase("app/TestLibrary.deps.json.bak", false)]
    [TestCase("app/deps.json", false)]
    public void Wanted_paths(string path, bool wanted) => Assert.That(Finder.Wants(path), Is.EqualTo(wanted));

    [Test]
    public void Real_deps_json_packages_without_projects()
    {
        var libraries = DepsJsonParser.Parse(TestLibrary);
        Assert.That(libraries, Is.EqualTo(new[]
        {
            new DepsJsonLibrary("AWSSDK.Core", "3.7.10.6"),
            new DepsJsonLibrary("Microsoft.Extensions.DependencyInjection", "6.0.0"),
            new DepsJsonLibrary("Microsoft.Extensions.DependencyInjection.Abstractions", "6.0.0"),
            new DepsJsonLibrary("Microsoft.Extensions.Logging", "6.0.0"),
            new DepsJsonLibrary("Microsoft.Extensions.Logging.Abstractions", "6.0.0"),
            new DepsJsonLibrary("Microsoft.Extensions.Options", "6.0.0"),
            new DepsJsonLibrary("Microsoft.Extensions.Primitives", "6.0.0"),
            new DepsJsonLibrary("Newtonsoft.Json", "13.0.1"),
            new DepsJsonLibrary("Serilog", "2.10.0"),
            new DepsJsonLibrary("Serilog.Sinks.Console", "4.0.1"),
            new DepsJsonLibrary("System.Diagnostics.DiagnosticSource", "6.0.0"),
            new DepsJsonLibrary("System.Runtime.CompilerServices.Unsafe", "6.0.0"),
        }));
        // The "project" library (Microsoft.VisualStudio.TestPlatform.Common) is not a NuGet package.
        Assert.That(DepsJsonParser.Parse(DataCollector), Is.EqualTo(new[] { new DepsJsonLibrary("Newtonsoft.Json", "9.0.1") }));
    }

    [TestCase("not json")]
    [TestCase("\"a string\"")]
    public void Bad_input_is_a_format_error(string content) =>
        Assert.That(() => DepsJsonParser.Parse(Encoding.UTF8.GetBytes(content)), Throws.InstanceOf<FormatException>());

    [Test]
    public void Odd_libraries_are_skipped()
    {
        var json = """{"libraries":{"NoVersion":{"type":"package"},"A/1.0.0":{"type":"reference"},"B/":{"type":"package"},"C/2.0.0":{"type":"Package"},"D/1.0.0":"x","E/1.0.0":{}}}""";
        Assert.That(DepsJsonParser.Parse(Encoding.UTF8.GetBytes(json)), Is.EqualTo(new[] { new DepsJsonLibrary("C", "2.0.0") }));
        Assert.That(DepsJsonParser.Parse("{}"u8), Is.Empty);
    }

    [Test]
    public void Finder_attributes_layers_and_honours_whiteouts()
    {
        var layers = new[]
        {
            new LayerFiles { Digest = "sha256:one", Files = new Dictionary<string, byte[]> { ["app/TestLibrary.deps.json"] = TestLibrary, ["tools/datacollector.deps.json"] = DataCollector } },
            new LayerFiles { Digest = "sha256:two", Files = new Dictionary<string, byte[]> { ["app/TestLibrary.deps.json"] = TestLibrary, ["app/broken.deps.json"] = "{"u8.ToArray() } },
            new LayerFiles { Digest = "sha256:three", Whiteouts = ["tools"] },
        };
        var all = Finder.Find(new ImageFiles(layers[..2]), null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.EqualTo(13));
            Assert.That(all.Where(p => p.FilePath == "app/TestLibrary.deps.json").Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:two" }));
            Assert.That(all.Single(p => p.FilePath == "tools/datacollector.deps.json"), Is.EqualTo(new Package
            {
                Name = "Newtonsoft.Json", Version = "9.0.1", Type = "nuget", FilePath = "tools/datacollector.deps.json", LayerDigest = "sha256:one",
            }));
        });
        Assert.That(Finder.Find(new ImageFiles(layers), null).Select(p => p.FilePath).Distinct(), Is.EqualTo(new[] { "app/TestLibrary.deps.json" }));
    }

    [Test]
    public void Shape_and_keys()
    {
        var package = new Package { Name = "Newtonsoft.Json", Version = "9.0.1", Type = "nuget", FilePath = "x", LayerDigest = "sha256:l" };
        Assert.Multiple(() =>
        {
            Assert.That((Ecosystem.Name, Ecosystem.IsOperatingSystem), Is.EqualTo(("dotnet", false)));
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<DepsJsonFinder>());
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(SemVerComparer.NuGet));
            Assert.That(Ecosystem.AdvisoryKeyFor(package, null), Is.EqualTo(new AdvisoryKey("NuGet", "Newtonsoft.Json", "9.0.1")));
            Assert.That(Ecosystem.AdvisoryKeyFor(package with { Type = "npm" }, null), Is.Null);
        });
    }

    /// <summary>The real GHSA record for Newtonsoft.Json (fixed in 13.0.1) against the packages of both corpus deps.json files.</summary>
    [Test]
    public async Task Newtonsoft_Json_matches_the_real_GHSA_record()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dotnet-ecosystem-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
            var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ghsa", "GHSA-5crp-9r3c-p9vr.json"));
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
            var files = new ImageFiles([new LayerFiles
            {
                Digest = "sha256:app",
                Files = new Dictionary<string, byte[]>
                {
                    ["app/TestLibrary.deps.json"] = TestLibrary,
                    ["tools/datacollector.deps.json"] = DataCollector,
                    // NuGet ids are case-insensitive: a lower-case id still matches.
                    ["old/Old.deps.json"] = """{"libraries":{"newtonsoft.json/12.0.3":{"type":"package"}}}"""u8.ToArray(),
                },
            }]);
            var packages = Ecosystem.Finders.SelectMany(f => f.Find(files, null)).ToList();
            var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);
            Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion, m.AdvisoryEcosystem)), Is.EqualTo(new[]
            {
                ("newtonsoft.json", "12.0.3", "GHSA-5crp-9r3c-p9vr", "13.0.1", "NuGet"),
                ("Newtonsoft.Json", "9.0.1", "GHSA-5crp-9r3c-p9vr", "13.0.1", "NuGet"),
            }));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
