using System.IO.Compression;
using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.TestSupport;
using static ImageScanning.ScanEngine.Tests.Java.TestArchives;

namespace ImageScanning.ScanEngine.Tests.Java;

[TestFixture]
public sealed class JavaArchiveReaderTests
{
    private static readonly JavaArchiveReader Reader = new();

    private static byte[] CorpusJar(string tool, string name) => File.ReadAllBytes(Corpus.PathOf("inventory", "java", tool, "app", name));

    private static IEnumerable<(string Name, string Version, string Path, JavaArtifactSource Source)> Summary(JavaArchiveScan scan) =>
        scan.Artifacts.Select(a => (a.Name, a.Version, a.ArchivePath, a.Source));

    [Test]
    public void Shaded_jar_reports_every_embedded_pom_properties()
    {
        var scan = Reader.Read("opt/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", CorpusJar("trivy", "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar"));

        const string path = "opt/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar";
        Assert.That(Summary(scan), Is.EqualTo(new[]
        {
            ("org.apache.hadoop.thirdparty:hadoop-shaded-guava", "1.1.0-SNAPSHOT", path, JavaArtifactSource.PomProperties),
            ("com.google.j2objc:j2objc-annotations", "1.3", path, JavaArtifactSource.PomProperties),
            ("com.google.guava:guava", "29.0-jre", path, JavaArtifactSource.PomProperties),
            ("com.google.guava:failureaccess", "1.0.1", path, JavaArtifactSource.PomProperties),
            ("com.google.guava:listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava", path, JavaArtifactSource.PomProperties),
        }));
        Assert.That(scan.Skipped, Is.Empty);
    }

    [Test]
    public void Nested_jars_are_read_recursively_with_bang_paths()
    {
        var scan = Reader.Read("app/nested.jar", CorpusJar("trivy", "nested.jar"));

        Assert.That(Summary(scan), Is.EqualTo(new[]
        {
            ("test:nested", "0.0.1", "app/nested.jar", JavaArtifactSource.PomProperties),
            ("test:nested2", "0.0.2", "app/nested.jar!/META-INF/jars/nested2.jar", JavaArtifactSource.PomProperties),
            ("test:nested3", "0.0.3", "app/nested.jar!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar", JavaArtifactSource.PomProperties),
        }));
        Assert.That(scan.Skipped, Is.Empty);
    }

    [Test]
    public void Scalibr_jars_with_pom_properties_at_the_root_and_a_boot_inf_lib()
    {
        var simple = Reader.Read("app/simple.jar", CorpusJar("scalibr", "simple.jar"));
        var complex = Reader.Read("app/complex.jar", CorpusJar("scalibr", "complex.jar"));

        Assert.Multiple(() =>
        {
            Assert.That(Summary(simple), Is.EqualTo(new[] { ("com.some.package:package-name", "1.2.3", "app/simple.jar", JavaArtifactSource.PomProperties) }));
            Assert.That(Summary(complex), Is.EqualTo(new[]
            {
                ("com.some.package:package-name", "1.2.3", "app/complex.jar", JavaArtifactSource.PomProperties),
                ("com.some.anotherpackage:another-package-name", "3.2.1", "app/complex.jar!/BOOT-INF/lib/inner.jar", JavaArtifactSource.PomProperties),
            }));
            Assert.That(simple.Skipped.Concat(complex.Skipped), Is.Empty);
        });
    }

    [Test]
    public void War_and_ear_nesting()
    {
        var log4j = Jar("org.apache.logging.log4j", "log4j-core", "2.14.1");
        var war = Jar("com.example", "shop", "1.0.0", ("WEB-INF/lib/log4j-core-2.14.1.jar", log4j));
        var ear = Zip(Text("META-INF/application.xml", "<application/>"), ("lib/commons-io-2.11.0.jar", Jar("commons-io", "commons-io", "2.11.0")),
            ("shop.war", war));

        var scan = Reader.Read("srv/app.ear", ear);

        Assert.That(Summary(scan), Is.EqualTo(new[]
        {
            ("commons-io:commons-io", "2.11.0", "srv/app.ear!/lib/commons-io-2.11.0.jar", JavaArtifactSource.PomProperties),
            ("com.example:shop", "1.0.0", "srv/app.ear!/shop.war", JavaArtifactSource.PomProperties),
            ("org.apache.logging.log4j:log4j-core", "2.14.1", "srv/app.ear!/shop.war!/WEB-INF/lib/log4j-core-2.14.1.jar", JavaArtifactSource.PomProperties),
        }));
        // The ear itself has neither pom.properties nor a manifest: it is named as unidentified, not as an error.
        Assert.That(scan.Skipped, Is.EqualTo(new[] { new SkippedArchive("srv/app.ear", "no pom.properties and no MANIFEST.MF: no Maven coordinates", SkipKind.Unidentified) }));
    }

    [Test]
    public void Manifest_and_file_name_when_there_is_no_pom_properties()
    {
        var commonsLang = Zip(Text("META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\r\nImplementation-Title: Apache Commons Lang\r\nImplementation-Vendor-Id: org.apache.c\r\n ommons\r\n" +
            "Bundle-SymbolicName: org.apache.commons.lang3\r\nImplementation-Version: 3.12.0\r\n\r\nName: org/apache/\r\nImplementation-Version: 9\r\n"));
        var jackson = Zip(Text("META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\nBundle-Version: 2.13.0\n"));
        var prose = Zip(Text("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Vendor: Some Company Inc.\nImplementation-Version: 1.0\n"));

        Assert.Multiple(() =>
        {
            Assert.That(Summary(Reader.Read("lib/commons-lang3-3.12.0.jar", commonsLang)),
                Is.EqualTo(new[] { ("org.apache.commons:commons-lang3", "3.12.0", "lib/commons-lang3-3.12.0.jar", JavaArtifactSource.Manifest) }));
            Assert.That(Summary(Reader.Read("lib/jackson-databind-2.13.0.jar", jackson)),
                Is.EqualTo(new[] { ("com.fasterxml.jackson.core:jackson-databind", "2.13.0", "lib/jackson-databind-2.13.0.jar", JavaArtifactSource.Manifest) }));
            var unnamed = Reader.Read("lib/tool-1.0.jar", prose);
            Assert.That(unnamed.Artifacts, Is.Empty);
            Assert.That(unnamed.Skipped.Select(s => s.Reason),
                Is.EqualTo(new[] { "no pom.properties, and MANIFEST.MF and the file name give no complete Maven coordinates" }));
        });
    }

    [Test]
    public void Pom_properties_without_a_version_is_not_a_package()
    {
        var jar = Zip(Text("META-INF/maven/g/a/pom.properties", "groupId=g\nartifactId=a\n"),
            Text("META-INF/maven/g/b/pom.properties", "groupId = g\nartifactId : b\nversion 2.0\\\n    .1\n"));

        var scan = Reader.Read("x.jar", jar);

        Assert.That(Summary(scan), Is.EqualTo(new[] { ("g:b", "2.0.1", "x.jar", JavaArtifactSource.PomProperties) }));
        Assert.That(scan.Skipped, Is.EqualTo(new[] { new SkippedArchive("x.jar!/META-INF/maven/g/a/pom.properties", "pom.properties lacks groupId, artifactId or version", SkipKind.Unidentified) }));
    }

    [Test]
    public void Corrupt_archives_are_skipped_with_a_reason()
    {
        var corrupt = "PK\u0003\u0004 this is not a zip"u8.ToArray();
        var truncated = Jar("g", "inner", "1.0")[..40];
        var war = Jar("g", "app", "1.0", ("WEB-INF/lib/broken.jar", corrupt), ("WEB-INF/lib/cut.jar", truncated), ("WEB-INF/lib/ok.jar", Jar("g", "ok", "2.0")));

        var top = Reader.Read("bad.jar", corrupt);
        var scan = Reader.Read("app.war", war);

        Assert.Multiple(() =>
        {
            Assert.That(top.Artifacts, Is.Empty);
            Assert.That(top.Skipped.Single().ArchivePath, Is.EqualTo("bad.jar"));
            Assert.That(top.Skipped.Single().Reason, Does.StartWith("not a readable zip archive: "));
            Assert.That(top.Skipped.Single().Kind, Is.EqualTo(SkipKind.Corrupt));
            Assert.That(Summary(scan).Select(s => (s.Name, s.Path)),
                Is.EqualTo(new[] { ("g:app", "app.war"), ("g:ok", "app.war!/WEB-INF/lib/ok.jar") }));
            Assert.That(scan.Skipped.Select(s => s.ArchivePath), Is.EqualTo(new[] { "app.war!/WEB-INF/lib/broken.jar", "app.war!/WEB-INF/lib/cut.jar" }));
            Assert.That(scan.Skipped.Select(s => s.Reason), Has.All.StartWith("not a readable zip archive: "));
        });
    }

    [Test]
    public void Nesting_deeper_than_the_limit_is_skipped()
    {
        var archive = Jar("g", "level4", "4");
        for (var level = 3; level >= 0; level--) archive = Jar("g", $"level{level}", $"{level}", ($"lib/level{level + 1}.jar", archive));
        var reader = new JavaArchiveReader(JavaArchiveLimits.Default with { MaxNestingDepth = 2 });

        var scan = reader.Read("deep.jar", archive);

        Assert.That(scan.Artifacts.Select(a => a.Name), Is.EqualTo(new[] { "g:level0", "g:level1", "g:level2" }));
        Assert.That(scan.Skipped, Is.EqualTo(new[]
        {
            new SkippedArchive("deep.jar!/lib/level1.jar!/lib/level2.jar!/lib/level3.jar", "nested deeper than 2 archives", SkipKind.OverLimit),
        }));
    }

    [Test]
    public void Nested_archive_larger_than_its_limit_is_skipped_from_its_declared_size()
    {
        // 1 MiB of zeros stored in the jar, deflated to about 1 KiB in the war: a small bomb.
        var bomb = Jar(CompressionLevel.NoCompression, "g", "bomb", "1", ("zeros.bin", new byte[1 << 20]));
        var war = Jar("g", "app", "1", ("WEB-INF/lib/bomb.jar", bomb), ("WEB-INF/lib/ok.jar", Jar("g", "ok", "1")));
        var reader = new JavaArchiveReader(JavaArchiveLimits.Default with { MaxNestedArchiveBytes = 64 << 10 });

        var scan = reader.Read("app.war", war);

        Assert.That(bomb, Has.Length.GreaterThan(64 << 10), "the nested archive must be over the limit for this test");
        Assert.That(scan.Artifacts.Select(a => a.Name), Is.EqualTo(new[] { "g:app", "g:ok" }));
        Assert.That(scan.Skipped, Is.EqualTo(new[]
        {
            new SkippedArchive("app.war!/WEB-INF/lib/bomb.jar", $"declared size {bomb.Length} bytes exceeds the 65536-byte limit for a nested archive", SkipKind.OverLimit),
        }));
    }

    [Test]
    public void Nested_archive_whose_header_understates_its_size_is_not_trusted()
    {
        var inner = Jar(CompressionLevel.NoCompression, "g", "liar", "1", ("padding.bin", new byte[200_000]));
        var war = DeclareUncompressedSize(Zip(CompressionLevel.Optimal, ("WEB-INF/lib/liar.jar", inner), ("WEB-INF/lib/ok.jar", Jar("g", "ok", "1"))),
            "WEB-INF/lib/liar.jar", 1000);
        var reader = new JavaArchiveReader(JavaArchiveLimits.Default with { MaxNestedArchiveBytes = 64 << 10 });

        var scan = reader.Read("app.war", war);

        // The header passes the declared-size check; ZipArchive then inflates no more than the declared 1000 bytes
        // (the reader's own bound on the read is a second guard), so what comes out is a cut zip, not an archive.
        Assert.That(scan.Artifacts.Select(a => a.Name), Is.EqualTo(new[] { "g:ok" }));
        Assert.That(scan.Skipped.Select(s => s.ArchivePath), Is.EqualTo(new[] { "app.war", "app.war!/WEB-INF/lib/liar.jar" }));
        Assert.That(scan.Skipped[1].Reason, Does.StartWith("not a readable zip archive: "));
        Assert.That(scan.Skipped[1].Kind, Is.EqualTo(SkipKind.Corrupt));
    }

    [Test]
    public void Total_inflated_bytes_of_one_archive_are_bounded()
    {
        var padded = Enumerable.Range(0, 3).Select(i => Jar(CompressionLevel.NoCompression, "g", $"lib{i}", "1", ("padding.bin", new byte[40_000]))).ToList();
        var war = Zip(("WEB-INF/lib/lib0.jar", padded[0]), ("WEB-INF/lib/lib1.jar", padded[1]), ("WEB-INF/lib/lib2.jar", padded[2]));
        var budget = padded[0].Length + padded[1].Length + 2_000; // room for two nested jars and their metadata, not three
        var reader = new JavaArchiveReader(JavaArchiveLimits.Default with { MaxNestedArchiveBytes = 1 << 20, MaxTotalInflatedBytes = budget });

        var scan = reader.Read("app.war", war);

        Assert.That(scan.Artifacts.Select(a => a.Name), Is.EqualTo(new[] { "g:lib0", "g:lib1" }));
        var skipped = scan.Skipped.Single(s => s.ArchivePath == "app.war!/WEB-INF/lib/lib2.jar");
        Assert.That(skipped.Kind, Is.EqualTo(SkipKind.OverLimit));
        Assert.That(skipped.Reason, Does.Contain($"budget for the whole archive").And.StartWith($"declared size {padded[2].Length} bytes exceeds the "));
    }

    [Test]
    public void Mutated_archives_never_throw()
    {
        var original = Jar("g", "app", "1", ("WEB-INF/lib/a.jar", Jar("g", "a", "1")), ("lib/b.jar", Zip(CompressionLevel.NoCompression,
            Text("META-INF/MANIFEST.MF", "Implementation-Vendor-Id: g\nImplementation-Version: 2\n"))));
        var random = new Random(5);
        var outcomes = new HashSet<string>();
        for (var n = 0; n < 3_000; n++)
        {
            var mutated = (byte[])original.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (random.Next(10) == 0) mutated = mutated[..random.Next(mutated.Length)];
            JavaArchiveScan scan;
            try { scan = Reader.Read("m.war", mutated); }
            catch (Exception e) { Assert.Fail($"mutation {n} threw {e}"); return; }
            outcomes.Add(scan.Artifacts.Count > 0 ? "read" : "skipped");
        }
        Assert.That(outcomes, Is.EquivalentTo(new[] { "read", "skipped" }), "mutations must produce both readable and unreadable archives");
    }

    [TestCase("app.jar", true)]
    [TestCase("APP.JAR", true)]
    [TestCase("x.War", true)]
    [TestCase("lib/a.ear", true)]
    [TestCase("plugins/git.jpi", true)]
    [TestCase("plugins/git.hpi", true)]
    [TestCase("jar", false)]
    [TestCase(".jar", false)]
    [TestCase("a.jar.sha1", false)]
    [TestCase("a.zip", false)]
    [TestCase("ajar", false)]
    public void Archive_names(string name, bool expected) => Assert.That(JavaArchiveReader.IsArchiveName(name), Is.EqualTo(expected));
}
