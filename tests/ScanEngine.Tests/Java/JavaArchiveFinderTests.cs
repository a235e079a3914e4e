using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Extensions.Logging;
using static ImageScanning.ScanEngine.Tests.Java.TestArchives;

namespace ImageScanning.ScanEngine.Tests.Java;

[TestFixture]
public sealed class JavaArchiveFinderTests
{
    private static readonly JavaArchiveFinder Finder = new();

    private static byte[] CorpusJar(string tool, string name) => File.ReadAllBytes(Corpus.PathOf("inventory", "java", tool, "app", name));

    private static LayerFiles Layer(string digest, Dictionary<string, byte[]>? files = null, string[]? whiteouts = null, string[]? opaque = null) => new()
    {
        Digest = digest,
        Files = files ?? [],
        Whiteouts = whiteouts ?? [],
        OpaqueDirectories = opaque ?? [],
    };

    private static List<(string Name, string Version, string Path, string Layer)> Find(params LayerFiles[] layers) =>
        [.. Finder.Find(new ImageFiles(layers), null).Select(p => (p.Name, p.Version, p.FilePath, p.LayerDigest))];

    [Test]
    public void Name_version_and_wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Name, Is.EqualTo("java-archive"));
            Assert.That(Finder.Version, Is.EqualTo("1"));
            Assert.That(Finder.Wants("usr/share/java/log4j-core-2.14.1.jar"), Is.True);
            Assert.That(Finder.Wants("opt/tomcat/webapps/ROOT.WAR"), Is.True);
            Assert.That(Finder.Wants("var/jenkins_home/plugins/git.jpi"), Is.True);
            Assert.That(Finder.Wants("usr/share/java/log4j-core-2.14.1.jar.sha1"), Is.False);
            Assert.That(Finder.Wants("usr/share/doc/jar"), Is.False);
            Assert.That(Finder.Wants("etc/os-release"), Is.False);
        });
    }

    [Test]
    public void Archives_of_the_final_view_with_the_layer_that_provided_each()
    {
        var packages = Find(
            Layer("sha256:base", new()
            {
                ["opt/app/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar"] = CorpusJar("trivy", "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar"),
                ["opt/app/nested.jar"] = CorpusJar("trivy", "nested.jar"),
                ["opt/app/simple.jar"] = CorpusJar("scalibr", "simple.jar"),
                ["opt/old/complex.jar"] = CorpusJar("scalibr", "complex.jar"),
                ["opt/app/README"] = "not an archive"u8.ToArray(),
            }),
            Layer("sha256:app", new() { ["srv/complex.jar"] = CorpusJar("scalibr", "complex.jar") },
                whiteouts: ["opt/app/simple.jar"], opaque: ["opt/old"]));

        const string guava = "opt/app/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar";
        Assert.That(packages, Is.EqualTo(new[]
        {
            ("org.apache.hadoop.thirdparty:hadoop-shaded-guava", "1.1.0-SNAPSHOT", guava, "sha256:base"),
            ("com.google.j2objc:j2objc-annotations", "1.3", guava, "sha256:base"),
            ("com.google.guava:guava", "29.0-jre", guava, "sha256:base"),
            ("com.google.guava:failureaccess", "1.0.1", guava, "sha256:base"),
            ("com.google.guava:listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava", guava, "sha256:base"),
            ("test:nested", "0.0.1", "opt/app/nested.jar", "sha256:base"),
            ("test:nested2", "0.0.2", "opt/app/nested.jar!/META-INF/jars/nested2.jar", "sha256:base"),
            ("test:nested3", "0.0.3", "opt/app/nested.jar!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar", "sha256:base"),
            ("com.some.package:package-name", "1.2.3", "srv/complex.jar", "sha256:app"),
            ("com.some.anotherpackage:another-package-name", "3.2.1", "srv/complex.jar!/BOOT-INF/lib/inner.jar", "sha256:app"),
        }));
        Assert.That(packages.Select(p => p.Path), Has.None.StartsWith("opt/app/simple.jar").And.None.StartsWith("opt/old/"));
    }

    [Test]
    public void A_replaced_archive_belongs_to_the_layer_that_replaced_it()
    {
        var packages = Find(
            Layer("sha256:one", new() { ["app/app.war"] = Jar("com.example", "app", "1.0", ("WEB-INF/lib/a.jar", Jar("g", "a", "1"))) }),
            Layer("sha256:two", new() { ["app/app.war"] = Jar("com.example", "app", "1.1", ("WEB-INF/lib/a.jar", Jar("g", "a", "2"))) }));

        Assert.That(packages, Is.EqualTo(new[]
        {
            ("com.example:app", "1.1", "app/app.war", "sha256:two"),
            ("g:a", "2", "app/app.war!/WEB-INF/lib/a.jar", "sha256:two"),
        }));
    }

    [Test]
    public void A_corrupt_archive_is_skipped_with_a_warning_and_the_others_are_read()
    {
        var logger = new CollectingLogger();
        var finder = new JavaArchiveFinder(JavaArchiveLimits.Default, logger);
        var image = new ImageFiles([Layer("sha256:one", new()
        {
            ["app/broken.jar"] = "PK\u0003\u0004garbage"u8.ToArray(),
            ["app/empty.jar"] = [],
            ["app/ok.jar"] = Jar("g", "ok", "1"),
            ["app/unnamed.war"] = Zip(Text("index.html", "<html/>")),
        })]);

        var packages = finder.Find(image, null).Select(p => (p.Name, p.Version, p.FilePath, p.LayerDigest)).ToList();

        Assert.That(packages, Is.EqualTo(new[] { ("g:ok", "1", "app/ok.jar", "sha256:one") }));
        Assert.That(logger.Entries.Select(e => (e.Level, e.Message.Split(": ")[0])), Is.EqualTo(new[]
        {
            (LogLevel.Warning, "Java archive app/broken.jar gave no package"),
            (LogLevel.Warning, "Java archive app/empty.jar gave no package"),
            (LogLevel.Debug, "Java archive app/unnamed.war gave no package"),
        }));
    }

    /// <summary>A real ILogger that keeps what was logged.</summary>
    private sealed class CollectingLogger : ILogger<JavaArchiveFinder>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    [Test]
    public void Packages_are_of_type_maven()
    {
        var packages = Finder.Find(new ImageFiles([Layer("sha256:one", new() { ["a.jar"] = Jar("g", "a", "1") })]), null).ToList();
        Assert.That(packages.Select(p => (p.Type, p.SourceName, p.Architecture)), Is.EqualTo(new[] { ("maven", (string?)null, (string?)null) }));
    }

    [Test]
    public void No_layers_no_packages() => Assert.That(Find(), Is.Empty);
}
