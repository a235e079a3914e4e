using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Support;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>
/// RHEL 8 module builds against the corpus's RHSA-2024:6220 (python39:3.9 module, PyYAML fixed at
/// "0:5.4.1-1.module+el8.5.0+10613+59a13ec4" under "Red Hat:rhel_e4s:8.6::appstream"): a modular fix applies to module
/// rpms only, and a non-modular one to non-modular rpms only.
/// </summary>
[TestFixture]
public sealed class RedHatModularityTests
{
    private static readonly RedHatVersionComparer Comparer = RedHatVersionComparer.Instance;
    private static readonly Distribution Rhel86 = new("rhel", "8.6", null, null);
    private static readonly string[] E4s = ["rhel-8-for-x86_64-appstream-e4s-rpms", "rhel-8-for-x86_64-baseos-e4s-rpms"];

    private static Package Rpm(string name, string version, string? label) => new()
    {
        Name = name, Version = version, Type = "rpm", Vendor = "Red Hat, Inc.", ModularityLabel = label, ContentSets = E4s,
        FilePath = "var/lib/rpm/rpmdb.sqlite", LayerDigest = "sha256:l0",
    };

    [TestCase("5.4.1-1.module+el8.5.0+10613+59a13ec4", true)]
    [TestCase("0:3.9.7-2.module+el8.6.0+20026+579726f4.2", true)]
    [TestCase("5.4.1-2.el8", false)]
    [TestCase("1:2.0-1.module_el8.5.0+100+abc", false)] // AlmaLinux's marker, not Red Hat's
    [TestCase("module+1.0-1.el8", false)] // the marker counts in the release only
    public void Module_builds_are_told_by_their_release(string evr, bool modular) =>
        Assert.That(RedHatVersionComparer.IsModular(evr), Is.EqualTo(modular));

    [Test]
    public void Within_one_line_versions_order_as_rpm_does_and_across_lines_not_at_all()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Compare("5.4.1-1.module+el8.4.0+9822+20bf1249", "0:5.4.1-1.module+el8.5.0+10613+59a13ec4"), Is.LessThan(0));
            Assert.That(Comparer.Compare("2.13.3-2.el8", "0:2.13.3-3.el8_6.1"), Is.LessThan(0));
            Assert.That(() => Comparer.Compare("5.4.1-2.el8", "0:5.4.1-1.module+el8.5.0+10613+59a13ec4"), Throws.InvalidOperationException);
            Assert.That(() => Comparer.Compare("0:5.4.1-1.module+el8.5.0+10613+59a13ec4", "5.4.1-2.el8"), Throws.InvalidOperationException);
        });
    }

    [Test]
    public async Task A_modular_fix_matches_module_rpms_below_it_and_never_non_modular_ones()
    {
        using var store = new TemporaryAdvisoryStore();
        var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "redhat", "RHSA-2024_6220.json"));
        await store.Store.UpsertAsync(OsvParser.Parse(raw), raw);
        // A non-modular advisory for the same name (RHSA-2024:4546's real record with its package renamed to PyYAML).
        var nonModular = (await File.ReadAllTextAsync(Corpus.PathOf("osv", "redhat", "RHSA-2024_4546.json")))
            .Replace("\"name\": \"git-lfs\"", "\"name\": \"PyYAML\"");
        await store.Store.UpsertAsync(OsvParser.Parse(nonModular), nonModular);

        var older = Rpm("PyYAML", "5.4.1-1.module+el8.4.0+9822+20bf1249", "python39:3.9:8040020210127115519:20bf1249");
        var fixedBuild = Rpm("PyYAML", "5.4.1-1.module+el8.5.0+10613+59a13ec4", "python39:3.9:8050020211112174141:59a13ec4");
        var plain = Rpm("PyYAML", "2.13.3-2.el8", null);
        var matches = await new VulnerabilityMatcher(store.Store).MatchAsync([older, fixedBuild, plain], Rhel86, RedHatEcosystem.All());

        Assert.That(matches.Select(m => (m.Package.Version, m.VulnerabilityId, m.FixedInVersion, m.AdvisoryEcosystem)), Is.EqualTo(new[]
        {
            ("5.4.1-1.module+el8.4.0+9822+20bf1249", "RHSA-2024:6220", (string?)"0:5.4.1-1.module+el8.5.0+10613+59a13ec4", "Red Hat:rhel_e4s:8.6::appstream"),
            ("2.13.3-2.el8", "RHSA-2024:4546", "0:2.13.3-3.el8_6.1", "Red Hat:rhel_e4s:8.6::appstream"),
        }));
    }
}
