using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Ecosystems.Ubuntu;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Ubuntu;

/// <summary>Real Ubuntu OSV records in a temporary SQLite store, matched with the Ubuntu ecosystems and dpkg ordering.</summary>
[TestFixture]
public sealed class UbuntuMatchingTests
{
    private static readonly IEcosystem[] Ecosystems = [new DebianEcosystem(), new UbuntuEcosystem(), new UbuntuProEcosystem()];

    private string directory = null!;
    private SqliteAdvisoryStore store = null!;

    [SetUp]
    public async Task SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "ubuntu-matching-tests", Guid.NewGuid().ToString("N"));
        store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
        foreach (var name in new[] { "USN-5614-1.json", "UBUNTU-CVE-2021-3782.json", "UBUNTU-CVE-2022-24823.json", "UBUNTU-CVE-2016-20013.json" })
        {
            var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ubuntu", name));
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
        }
    }

    [TearDown]
    public void TearDown()
    {
        store.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static Package Deb(string name, string version, string source, string sourceVersion) => new()
    {
        Name = name, Version = version, Type = "deb", SourceName = source, SourceVersion = sourceVersion,
        Architecture = "amd64", FilePath = "var/lib/dpkg/status", LayerDigest = "sha256:l0",
    };

    private Task<IReadOnlyList<VulnerabilityMatch>> Match(Distribution distribution, params Package[] packages) =>
        new VulnerabilityMatcher(store).MatchAsync(packages, distribution, Ecosystems);

    [Test]
    public async Task Wayland_on_jammy_is_affected_before_the_USN_fix_and_not_after()
    {
        var jammy = new Distribution("ubuntu", "22.04", "jammy", "Ubuntu 22.04.4 LTS");
        var matches = await Match(jammy, Deb("libwayland-client0", "1.20.0-1", "wayland", "1.20.0-1"));
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.AdvisoryEcosystem, m.AdvisoryPackageName, m.FixedInVersion)), Is.EqualTo(new[]
        {
            // UBUNTU-CVE-2021-3782 and USN-5614-1 (whose upstream it is) are one vulnerability: one finding.
            ("CVE-2021-3782", "Ubuntu:22.04:LTS", "wayland", "1.20.0-1ubuntu0.1"),
        }));
        Assert.That(matches[0].Aliases, Is.EqualTo(new[] { "UBUNTU-CVE-2021-3782", "USN-5614-1" }));
        Assert.That(await Match(jammy, Deb("libwayland-client0", "1.20.0-1ubuntu0.1", "wayland", "1.20.0-1ubuntu0.1")), Is.Empty);
        // Another release's fix does not apply: 18.04's fixed version is lower, but jammy is keyed as 22.04.
        Assert.That(await Match(jammy, Deb("libwayland-client0", "1.16.0-1ubuntu1.1~18.04.4", "wayland", "1.16.0-1ubuntu1.1~18.04.4")),
            Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_universe_package_whose_fixes_are_only_in_Ubuntu_Pro_is_matched_through_the_Pro_ecosystem()
    {
        var focal = new Distribution("ubuntu", "20.04", "focal", "Ubuntu 20.04.6 LTS");
        var matches = await Match(focal, Deb("libnetty-java", "1:4.1.45-1", "netty", "1:4.1.45-1"));
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.AdvisoryEcosystem, m.FixedInVersion)),
            Is.EqualTo(new[] { ("UBUNTU-CVE-2022-24823", "Ubuntu:Pro:20.04:LTS", "1:4.1.45-1ubuntu0.1~esm2") }));
        // The Pro build with the fix is no longer affected; the one before it still is.
        Assert.That(await Match(focal, Deb("libnetty-java", "1:4.1.45-1ubuntu0.1~esm2", "netty", "1:4.1.45-1ubuntu0.1~esm2")), Is.Empty);
        Assert.That(await Match(focal, Deb("libnetty-java", "1:4.1.45-1ubuntu0.1~esm1", "netty", "1:4.1.45-1ubuntu0.1~esm1")), Has.Count.EqualTo(1));
    }

    /// <summary>
    /// End to end on a real Ubuntu 18.04 dpkg database: the Debian ecosystem's finder finds the packages, the Ubuntu
    /// ecosystems key them, and glibc's binaries match UBUNTU-CVE-2016-20013, which lists glibc for bionic only under Pro.
    /// </summary>
    [Test]
    public async Task Bionic_glibc_packages_found_by_the_dpkg_finder_match_a_real_record()
    {
        var status = File.ReadAllBytes(Corpus.PathOf("inventory", "dpkg", "ubuntu-18.04-texlive", "var", "lib", "dpkg", "status"));
        var bionic = new Distribution("ubuntu", "18.04", "bionic", "Ubuntu 18.04.6 LTS");
        var files = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = new Dictionary<string, byte[]> { [DpkgFinder.StatusPath] = status } }]);
        var packages = Ecosystems.SelectMany(e => e.Finders).SelectMany(f => f.Find(files, bionic)).ToList();
        Assert.That(packages, Has.Count.EqualTo(357)); // found once: only the Debian ecosystem has a dpkg finder

        var glibc = DpkgStatusParser.Parse(status).Where(e => e.SourceName == "glibc").Select(e => e.Name).ToList();
        Assert.That(glibc, Is.Not.Empty);
        var matches = await Match(bionic, [.. packages]);
        Assert.That(matches.Select(m => m.Package.Name), Is.EquivalentTo(glibc));
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.AdvisoryEcosystem, m.AdvisoryPackageName, m.MatchedVersion)).Distinct(),
            Is.EqualTo(new[] { ("UBUNTU-CVE-2016-20013", "Ubuntu:Pro:18.04:LTS", "glibc", "2.27-3ubuntu1") }));
        Assert.That(matches.All(m => m.FixedInVersion is null)); // the record has no fix for bionic
    }
}
