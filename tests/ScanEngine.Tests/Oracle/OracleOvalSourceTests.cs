using System.IO.Compression;
using System.Text;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Oracle;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Rpm;
using ImageScanning.ScanEngine.Tests.Sources;
using ImageScanning.TestSupport;
using static ImageScanning.ScanEngine.Tests.Oracle.OracleOvalSample;

namespace ImageScanning.ScanEngine.Tests.Oracle;

/// <summary>
/// ELSA OVAL documents built from the documented OVAL 5 schema in Oracle's layout (<see cref="OracleOvalSample"/>; the
/// corpus holds no Oracle OVAL file) converted, stored and matched; then hostile and malformed input.
/// </summary>
[TestFixture]
public sealed class OracleOvalSourceTests
{
    private static readonly Definition Openssl = new("ELSA-2024-1234", "8", "MODERATE", ["CVE-2023-5678", "CVE-2023-3817"],
    [
        new("openssl", "1:1.1.1k-12.el8_9"), new("openssl-libs", "1:1.1.1k-12.el8_9"),
        new("openssl", "1:1.1.1k-12.el8_9", "aarch64"), new("openssl-libs", "1:1.1.1k-12.el8_9", "aarch64"),
    ]);

    private static readonly Definition Kernel = new("ELSA-2024-1500", "8", "IMPORTANT", ["CVE-2024-1086"],
        [new("kernel", "0:4.18.0-513.24.1.0.1.el8_9"), new("kernel", "0:4.18.0-513.24.1.el8_9", "aarch64")]);

    private static readonly Definition KspliceGlibc = new("ELSA-2024-2000", "8", "IMPORTANT", ["CVE-2023-4911"],
        [new("glibc", "2:2.28-236.0.1.ksplice1.el8"), new("glibc-common", "2:2.28-236.0.1.ksplice1.el8")]);

    private static readonly Definition Bash9 = new("ELSA-2024-3000", "9", "LOW", ["CVE-2022-3715"], [new("bash", "0:5.1.8-9.el9")]);

    private static Task<NativeFeedResult> Read(string xml) => SourceTestStore.ReadTextAsync(new OracleOvalSource(), xml);

    private static string FixedOf(OsvAffected a) => a.Ranges.Single().Events.Single(e => e.Kind == OsvEventKind.Fixed).Version;

    [Test]
    public async Task A_patch_definition_becomes_one_record_per_ELSA_with_one_entry_per_package()
    {
        var feed = await Read(Build(Openssl, Bash9));
        Assert.That(feed.Skipped, Is.Empty);
        var advisory = feed.Advisories.Select(a => a.Advisory).Single(a => a.Id == "ELSA-2024-1234");
        Assert.Multiple(() =>
        {
            Assert.That(feed.Source, Is.EqualTo("oracle-oval"));
            Assert.That(feed.Advisories.Select(a => a.Advisory.Id), Is.EqualTo(new[] { "ELSA-2024-1234", "ELSA-2024-3000" }));
            Assert.That(advisory.Affected.Select(a => (a.Package!.Ecosystem, a.Package.Name, FixedOf(a))), Is.EqualTo(new[]
            {
                ("Oracle Linux:8", "openssl", "1:1.1.1k-12.el8_9"), ("Oracle Linux:8", "openssl-libs", "1:1.1.1k-12.el8_9"),
            }));
            Assert.That(advisory.Aliases, Is.EqualTo(new[] { "CVE-2023-3817", "CVE-2023-5678" }));
            Assert.That(advisory.Upstream, Is.EqualTo(advisory.Aliases));
            Assert.That(advisory.Summary, Is.EqualTo("openssl security update (MODERATE)"));
            Assert.That(advisory.Published, Is.EqualTo(new DateTimeOffset(2024, 3, 13, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(advisory.References[0], Is.EqualTo(new OsvReference("ADVISORY", "https://linux.oracle.com/errata/ELSA-2024-1234.html")));
            Assert.That(advisory.References.Skip(1).Select(r => r.Type).Distinct(), Is.EqualTo(new[] { "WEB" }));
            var bash = feed.Advisories.Single(a => a.Advisory.Id == "ELSA-2024-3000").Advisory.Affected.Single();
            Assert.That((bash.Package!.Ecosystem, bash.Package.Name, FixedOf(bash)), Is.EqualTo(("Oracle Linux:9", "bash", "0:5.1.8-9.el9")));
            var severity = SeverityResolver.Resolve(advisory, advisory.Affected[0]);
            Assert.That((severity.Severity, severity.Source, severity.VendorSeverity), Is.EqualTo((Severity.Medium, "Oracle Linux", "MODERATE")));
        });
    }

    [Test]
    public async Task Different_builds_per_architecture_keep_the_highest()
    {
        var feed = await Read(Build(Kernel));
        Assert.That(feed.Advisories.Single().Advisory.Affected.Select(a => (a.Package!.Name, FixedOf(a))),
            Is.EqualTo(new[] { ("kernel", "0:4.18.0-513.24.1.0.1.el8_9") }));
    }

    [Test]
    public async Task Ksplice_builds_are_skipped_with_a_reason_and_the_rest_of_a_definition_kept()
    {
        var mixed = KspliceGlibc with { Elsa = "ELSA-2024-2001", Packages = [.. KspliceGlibc.Packages, new("nscd", "0:2.28-236.0.1.el8_9")] };
        var feed = await Read(Build(KspliceGlibc, mixed));
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories.Select(a => (a.Advisory.Id, a.Advisory.Affected.Single().Package!.Name)), Is.EqualTo(new[] { ("ELSA-2024-2001", "nscd") }));
            Assert.That(feed.Skipped.Select(s => s.Name), Is.EqualTo(new[]
            {
                "ELSA-2024-2000/glibc", "ELSA-2024-2000/glibc-common", "ELSA-2024-2000", "ELSA-2024-2001/glibc", "ELSA-2024-2001/glibc-common",
            }));
            Assert.That(feed.Skipped[0].Reason, Does.Contain("Ksplice"));
            Assert.That(feed.Skipped[2].Reason, Does.Contain("no package criterion"));
        });
    }

    [Test]
    public async Task Definitions_the_converter_cannot_read_are_skipped_with_reasons()
    {
        var inventory = Bash9 with { Elsa = "ELSA-2024-3001", Class = "inventory" };
        var equals = Bash9 with { Elsa = "ELSA-2024-3002", Packages = [new("bash", "0:5.1.8-9.el9", Operation: "equals")] };
        var untitled = Bash9 with { Elsa = "ELBA-2024-3003", Title = "ELBA-2024-3003: bash bug fix update" };
        var dangling = Build(Bash9 with { Elsa = "ELSA-2024-3004" });
        var testId = "oval:com.oracle.elsa:tst:20243004003\"";
        Assert.That(dangling, Does.Contain(testId));
        var xml = Build(inventory, equals, untitled, Openssl).Replace("</definitions>", "", StringComparison.Ordinal)
            .Replace("<tests>", ExtractDefinition(dangling) + "</definitions><tests>", StringComparison.Ordinal);

        var feed = await Read(xml);

        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories.Select(a => a.Advisory.Id), Is.EqualTo(new[] { "ELSA-2024-1234" }));
            Assert.That(feed.Skipped.Select(s => s.Name), Is.EqualTo(new[]
            {
                "oval:com.oracle.elsa:def:20243001", "ELSA-2024-3002", "oval:com.oracle.elsa:def:ELBA20243003", "ELSA-2024-3004",
            }));
            Assert.That(feed.Skipped.Select(s => s.Reason), Is.EqualTo(new[]
            {
                "class 'inventory' is not a patch definition", "bash: evr operation 'equals' (evr_string) is not 'less than' an evr_string",
                "no ELSA id in its references or title", feed.Skipped[3].Reason,
            }));
            Assert.That(feed.Skipped[3].Reason, Does.Contain("which the file lacks"));
        });
    }

    /// <summary>The definition element of a one-definition document, whose tests are then absent from another.</summary>
    private static string ExtractDefinition(string xml)
    {
        var start = xml.IndexOf("<definition ", StringComparison.Ordinal);
        var end = xml.IndexOf("</definition>", StringComparison.Ordinal) + "</definition>".Length;
        return xml[start..end];
    }

    [Test]
    public async Task Bzip2_gzip_and_unseekable_streams_read_like_plain_xml_and_a_reimport_is_unchanged()
    {
        var xml = Build(Openssl, Kernel, Bash9);
        var plain = await Read(xml);
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(xml));
        var fromGzip = await new OracleOvalSource().ReadAsync(new MemoryStream(gz.ToArray()));
        var fromPipe = await new OracleOvalSource().ReadAsync(new UnseekableStream(Encoding.UTF8.GetBytes(xml)));
        var bzip2 = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c",
            "import bz2, sys, base64; print(base64.b64encode(bz2.compress(sys.argv[1].encode())).decode())", xml]); // as Oracle serves it
        var fromBzip2 = await new OracleOvalSource().ReadAsync(new UnseekableStream(Convert.FromBase64String(bzip2.StandardOutput.Trim())));
        Assert.That(fromBzip2.Skipped, Is.Empty);
        Assert.That(fromBzip2.Advisories.Select(a => a.RawJson), Is.EqualTo(plain.Advisories.Select(a => a.RawJson)));
        Assert.That(fromGzip.Advisories.Select(a => a.RawJson), Is.EqualTo(plain.Advisories.Select(a => a.RawJson)));
        Assert.That(fromPipe.Advisories.Select(a => a.RawJson), Is.EqualTo(plain.Advisories.Select(a => a.RawJson)));

        using var store = new SourceTestStore();
        var first = await NativeFeed.StoreAsync(store.Store, plain);
        var second = await NativeFeed.StoreAsync(store.Store, await Read(xml));
        Assert.That((first.Added, second.Unchanged, second.Changed), Is.EqualTo((3, 3, 0)));
    }

    [Test]
    public async Task Stored_records_match_Oracle_Linux_8_packages_as_labelCompare_orders_them()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        using var store = new SourceTestStore();
        await NativeFeed.StoreAsync(store.Store, await Read(Build(Openssl, Kernel, KspliceGlibc, Bash9)));
        Package Rpm(string name, string version) => new()
        {
            Name = name, Version = version, Type = "rpm", SourceName = name, SourceVersion = version, Architecture = "x86_64",
            FilePath = "var/lib/rpm/Packages", LayerDigest = "sha256:l0",
        };
        var installed = new[]
        {
            Rpm("openssl-libs", "1:1.1.1k-9.el8_7"),            // before the fix
            Rpm("openssl", "1:1.1.1k-12.el8_9"),                // the fix itself
            Rpm("kernel", "4.18.0-513.24.1.el8_9"),             // Oracle's .0.1 rebuild is the fix
            Rpm("glibc", "2.28-236.0.1.el8"),                   // only a Ksplice update names it
            Rpm("bash", "4.4.20-4.el8_6"),                      // only an Oracle Linux 9 update names it
        };
        var fixes = new Dictionary<string, string> { ["openssl-libs"] = "1:1.1.1k-12.el8_9", ["openssl"] = "1:1.1.1k-12.el8_9", ["kernel"] = "0:4.18.0-513.24.1.0.1.el8_9" };
        var pairs = installed.Where(p => fixes.ContainsKey(p.Name)).Select(p => (Parse(p.Version), Parse(fixes[p.Name]))).ToList();
        var order = RpmOracle.Compare(pairs);
        var expected = installed.Where(p => fixes.ContainsKey(p.Name)).Where((p, i) => order[i] < 0).Select(p => p.Name).ToList();

        var matches = await new VulnerabilityMatcher(store.Store).MatchAsync(installed, new Distribution("ol", "8.9", null, "Oracle Linux Server 8.9"), [new OracleLinuxEcosystem()]);

        Assert.That(expected, Is.EqualTo(new[] { "openssl-libs", "kernel" }));
        Assert.That(matches.Select(m => (m.Package.Name, m.AdvisoryEcosystem, m.FixedInVersion)), Is.EqualTo(new[]
        {
            ("openssl-libs", "Oracle Linux:8", (string?)"1:1.1.1k-12.el8_9"), ("kernel", "Oracle Linux:8", "0:4.18.0-513.24.1.0.1.el8_9"),
        }));
    }

    private static Evr Parse(string evr)
    {
        var colon = evr.IndexOf(':');
        var rest = evr[(colon + 1)..];
        var dash = rest.LastIndexOf('-');
        return new Evr(colon > 0 ? evr[..colon] : null, rest[..dash], rest[(dash + 1)..]);
    }

    [TestCase("""<?xml version="1.0"?><!DOCTYPE oval_definitions [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><oval_definitions>&b;</oval_definitions>""")]
    [TestCase("""<?xml version="1.0"?><!DOCTYPE oval_definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]><oval_definitions><definitions><definition id="d" class="patch"><metadata><title>&x;</title></metadata></definition></definitions></oval_definitions>""")]
    [TestCase("<oval_definitions><definitions><definition id=\"d\">")]
    [TestCase("<updates />")]
    [TestCase("BZh91AY&SY not really bzip2")]
    [TestCase("")]
    public async Task Hostile_or_unreadable_files_give_no_advisories_and_one_reason(string text)
    {
        var feed = await Read(text);
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories, Is.Empty);
            Assert.That(feed.Skipped.Select(s => s.Name), Is.EqualTo(new[] { "(feed)" }));
            Assert.That(feed.Skipped[0].Reason, Does.Not.Contain("root:"), "no external entity is read");
        });
    }

    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
