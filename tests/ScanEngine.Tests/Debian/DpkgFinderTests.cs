using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Debian;

[TestFixture]
public sealed class DpkgFinderTests
{
    private const string Status = "var/lib/dpkg/status";
    private static readonly DpkgFinder Finder = new();

    private static byte[] Base => DpkgStatusParserTests.StatusBytes("ubuntu-18.04-trivy-valid");
    private static byte[] Texlive => DpkgStatusParserTests.StatusBytes("ubuntu-18.04-texlive");

    private static LayerFiles Layer(string digest, Dictionary<string, byte[]>? files = null, string[]? whiteouts = null,
        string[]? opaque = null, Dictionary<string, string>? symlinks = null) => new()
    {
        Digest = digest,
        Files = files ?? [],
        Whiteouts = whiteouts ?? [],
        OpaqueDirectories = opaque ?? [],
        Symlinks = symlinks ?? [],
    };

    private static List<Package> Find(params LayerFiles[] layers) => [.. Finder.Find(new ImageFiles(layers), null)];

    private static Dictionary<(string, string?), Package> ByKey(IEnumerable<Package> packages) =>
        packages.ToDictionary(p => (p.Name, p.Architecture));

    /// <summary>(name, arch, version) of the installed packages of a status file, independently of the finder.</summary>
    private static HashSet<(string, string?, string)> Installed(byte[] status) =>
        [.. DpkgStatusParser.Parse(status).Select(e => (e.Name, e.Architecture, e.Version))];

    [Test]
    public void Name_version_and_wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Name, Is.EqualTo("dpkg"));
            Assert.That(Finder.Version, Is.EqualTo("1"));
            Assert.That(Finder.Wants("var/lib/dpkg/status"), Is.True);
            Assert.That(Finder.Wants("var/lib/dpkg/status.d/dash"), Is.True);
            Assert.That(Finder.Wants("var/lib/dpkg/status.d/libsqlite3-0"), Is.True);
            Assert.That(Finder.Wants("var/lib/dpkg/status.d/libsqlite3-0.md5sums"), Is.False);
            Assert.That(Finder.Wants("var/lib/dpkg/status.d/"), Is.False);
            Assert.That(Finder.Wants("var/lib/dpkg/status-old"), Is.False);
            Assert.That(Finder.Wants("var/lib/dpkg/available"), Is.False);
            Assert.That(Finder.Wants("/var/lib/dpkg/status"), Is.False); // paths are relative
            Assert.That(Finder.Wants("usr/var/lib/dpkg/status"), Is.False);
            Assert.That(Finder.Wants("etc/os-release"), Is.False);
        });
    }

    [Test]
    public void Packages_are_attributed_to_the_layer_that_installed_their_current_version()
    {
        var packages = Find(Layer("sha256:base", new() { [Status] = Base }), Layer("sha256:texlive", new() { [Status] = Texlive }));
        var byKey = ByKey(packages);

        // Computed independently: unchanged (name, arch, version) since the base layer.
        var unchanged = Installed(Base).Intersect(Installed(Texlive)).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(packages, Has.Count.EqualTo(357));
            Assert.That(unchanged, Has.Count.EqualTo(42));
            Assert.That(packages.Count(p => p.LayerDigest == "sha256:base"), Is.EqualTo(42));
            Assert.That(packages.Count(p => p.LayerDigest == "sha256:texlive"), Is.EqualTo(315));
            foreach (var p in packages)
                Assert.That(p.LayerDigest, Is.EqualTo(unchanged.Contains((p.Name, p.Architecture, p.Version)) ? "sha256:base" : "sha256:texlive"),
                    p.Name);

            Assert.That(byKey[("adduser", "all")].LayerDigest, Is.EqualTo("sha256:base"));
            Assert.That(byKey[("apt", "amd64")], Is.EqualTo(new Package
            {
                Name = "apt", Version = "1.6.12", Type = "deb", SourceName = "apt", SourceVersion = "1.6.12", Architecture = "amd64",
                FilePath = Status, LayerDigest = "sha256:texlive",
            }));
            Assert.That(byKey[("bsdutils", "amd64")], Is.EqualTo(new Package
            {
                Name = "bsdutils", Version = "1:2.31.1-0.4ubuntu3.6", Type = "deb", SourceName = "util-linux",
                SourceVersion = "2.31.1-0.4ubuntu3.6", Architecture = "amd64", FilePath = Status, LayerDigest = "sha256:texlive",
            }));
            // Only config files were left of git in the base layer: installed by the texlive layer.
            Assert.That(byKey[("git", "amd64")].LayerDigest, Is.EqualTo("sha256:texlive"));
            Assert.That(byKey[("texlive-base", "all")].LayerDigest, Is.EqualTo("sha256:texlive"));
            // Removed by the later layer: gone.
            Assert.That(byKey.ContainsKey(("libustr-1.0-1", "amd64")), Is.False);
            Assert.That(packages.All(p => p is { Type: "deb", FilePath: Status, SourceName: not null, SourceVersion: not null }));
        });
    }

    [Test]
    public void Layers_that_do_not_touch_dpkg_keep_the_attribution_and_unchanged_rewrites_keep_it_too()
    {
        var other = Layer("sha256:other", new() { ["etc/os-release"] = "ID=ubuntu\n"u8.ToArray() });
        // A layer that rewrites the status file with the same content (a new copy of the bytes).
        var rewrite = Layer("sha256:rewrite", new() { [Status] = [.. Base] });
        var packages = Find(Layer("sha256:base", new() { [Status] = Base }), other, rewrite, other);
        Assert.That(packages, Has.Count.EqualTo(90));
        Assert.That(packages.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:base" }));
    }

    [Test]
    public void An_upgrade_in_a_later_layer_re_attributes_only_that_package()
    {
        var text = Encoding.UTF8.GetString(Base);
        var upgraded = text.Replace("Version: 4.4.18-2ubuntu1\n", "Version: 4.4.18-2ubuntu1.2\n"); // bash only
        Assert.That(upgraded, Is.Not.EqualTo(text));
        var packages = Find(Layer("sha256:base", new() { [Status] = Base }), Layer("sha256:upgrade", new() { [Status] = Encoding.UTF8.GetBytes(upgraded) }));
        var byKey = ByKey(packages);
        Assert.Multiple(() =>
        {
            Assert.That(packages, Has.Count.EqualTo(90));
            Assert.That(byKey[("bash", "amd64")].Version, Is.EqualTo("4.4.18-2ubuntu1.2"));
            Assert.That(byKey[("bash", "amd64")].LayerDigest, Is.EqualTo("sha256:upgrade"));
            Assert.That(packages.Count(p => p.LayerDigest == "sha256:upgrade"), Is.EqualTo(1));
        });
    }

    [Test]
    public void Going_back_to_a_version_later_counts_from_the_layer_that_restored_it()
    {
        var packages = Find(
            Layer("sha256:base", new() { [Status] = Base }),
            Layer("sha256:texlive", new() { [Status] = Texlive }),
            Layer("sha256:restore", new() { [Status] = [.. Base] }));
        var unchanged = Installed(Base).Intersect(Installed(Texlive)).ToHashSet();
        Assert.That(packages, Has.Count.EqualTo(90));
        foreach (var p in packages)
            Assert.That(p.LayerDigest, Is.EqualTo(unchanged.Contains((p.Name, p.Architecture, p.Version)) ? "sha256:base" : "sha256:restore"), p.Name);
        Assert.That(packages.Count(p => p.LayerDigest == "sha256:base"), Is.EqualTo(42));
    }

    [TestCase("whiteout", Status)]
    [TestCase("whiteout", "var/lib/dpkg")]
    [TestCase("whiteout", "var")]
    [TestCase("opaque", "var/lib/dpkg")]
    [TestCase("opaque", "var/lib")]
    [TestCase("opaque", "")]
    public void Removing_the_status_file_removes_its_packages(string kind, string path)
    {
        var removal = kind == "whiteout" ? Layer("sha256:rm", whiteouts: [path]) : Layer("sha256:rm", opaque: [path]);
        Assert.That(Find(Layer("sha256:base", new() { [Status] = Base }), removal), Is.Empty);

        // Put back by a later layer: the packages are new from that layer on.
        var restored = Find(Layer("sha256:base", new() { [Status] = Base }), removal, Layer("sha256:again", new() { [Status] = Base }));
        Assert.That(restored, Has.Count.EqualTo(90));
        Assert.That(restored.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:again" }));
    }

    [Test]
    public void Unrelated_removals_change_nothing()
    {
        var packages = Find(Layer("sha256:base", new() { [Status] = Base }),
            Layer("sha256:rm", whiteouts: ["var/lib/dpkg/status-old", "var/lib/apt"], opaque: ["var/lib/dpkg/info"]));
        Assert.That(packages, Has.Count.EqualTo(90));
        Assert.That(packages.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:base" }));
    }

    [Test]
    public void Distroless_status_d_entries_come_from_the_layer_that_provided_the_visible_file()
    {
        var root = Corpus.PathOf("inventory", "dpkg-distroless");
        byte[] Read(string image, string name) => File.ReadAllBytes(Path.Combine(root, image, "var", "lib", "dpkg", "status.d", name));
        var dash = Read("syft-pkg-coverage", "dash");
        var netbase = Read("syft-pkg-coverage", "netbase");
        var sqlite = Read("syft-image-distroless-deb", "libsqlite3-0");
        var md5sums = Read("syft-image-distroless-deb", "libsqlite3-0.md5sums");

        var layers = new[]
        {
            Layer("sha256:one", new()
            {
                ["var/lib/dpkg/status.d/dash"] = dash,
                ["var/lib/dpkg/status.d/netbase"] = netbase,
                ["var/lib/dpkg/status.d/libsqlite3-0.md5sums"] = md5sums, // not wanted; ignored even if present
            }),
            Layer("sha256:two", new() { ["var/lib/dpkg/status.d/libsqlite3-0"] = sqlite, ["var/lib/dpkg/status.d/netbase"] = netbase }),
            Layer("sha256:three", whiteouts: ["var/lib/dpkg/status.d/dash"]),
        };
        var packages = Find(layers);
        Assert.That(packages, Is.EqualTo(new[]
        {
            new Package
            {
                Name = "libsqlite3-0", Version = "3.34.1-3", Type = "deb", SourceName = "sqlite3", SourceVersion = "3.34.1-3",
                Architecture = "arm64", FilePath = "var/lib/dpkg/status.d/libsqlite3-0", LayerDigest = "sha256:two",
            },
            new Package
            {
                Name = "netbase", Version = "5.4", Type = "deb", SourceName = "netbase", SourceVersion = "5.4",
                Architecture = "all", FilePath = "var/lib/dpkg/status.d/netbase", LayerDigest = "sha256:two",
            },
        }));

        // Before the whiteout, dash is there and comes from the first layer.
        var dashPackage = Find(layers[0], layers[1]).Single(p => p.Name == "dash");
        Assert.That(dashPackage.LayerDigest, Is.EqualTo("sha256:one"));
        Assert.That(dashPackage.FilePath, Is.EqualTo("var/lib/dpkg/status.d/dash"));
    }

    [Test]
    public void Status_and_status_d_together()
    {
        var dash = File.ReadAllBytes(Path.Combine(Corpus.PathOf("inventory", "dpkg-distroless"), "syft-pkg-coverage", "var", "lib", "dpkg", "status.d", "dash"));
        var packages = Find(
            Layer("sha256:a", new() { [Status] = DpkgStatusParserTests.StatusBytes("debian-12-scalibr-valid") }),
            Layer("sha256:b", new() { ["var/lib/dpkg/status.d/dash"] = dash }));
        Assert.That(packages.Select(p => (p.Name, p.FilePath, p.LayerDigest)), Is.EqualTo(new[]
        {
            ("accountsservice", Status, "sha256:a"), ("acl", Status, "sha256:a"), ("adduser", Status, "sha256:a"),
            ("admin-session", Status, "sha256:a"), ("attr", Status, "sha256:a"), ("libacl1", Status, "sha256:a"),
            ("util-linux-extra", Status, "sha256:a"), ("dash", "var/lib/dpkg/status.d/dash", "sha256:b"),
        }));
    }

    [Test]
    public void Multi_arch_packages_are_kept_apart()
    {
        const string status = """
            Package: libc6
            Status: install ok installed
            Architecture: amd64
            Multi-Arch: same
            Source: glibc
            Version: 2.36-9+deb12u4

            Package: libc6
            Status: install ok installed
            Architecture: i386
            Multi-Arch: same
            Source: glibc
            Version: 2.36-9+deb12u4

            """;
        var upgraded = status.Replace("Architecture: i386\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u4",
            "Architecture: i386\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u7");
        Assert.That(upgraded, Is.Not.EqualTo(status));
        var packages = Find(Layer("sha256:a", new() { [Status] = Encoding.UTF8.GetBytes(status) }),
            Layer("sha256:b", new() { [Status] = Encoding.UTF8.GetBytes(upgraded) }));
        Assert.That(packages.Select(p => (p.Architecture, p.Version, p.LayerDigest)), Is.EqualTo(new[]
        {
            ("amd64", "2.36-9+deb12u4", "sha256:a"), ((string?)"i386", "2.36-9+deb12u7", "sha256:b"),
        }));
    }

    [Test]
    public void A_symlinked_status_file_is_followed()
    {
        var packages = Find(Layer("sha256:a",
            new() { ["var/lib/dpkg/status"] = Base },
            symlinks: new() { ["var/lib/dpkg/status"] = "../../../srv/status" }),
            Layer("sha256:b", new() { ["srv/status"] = Texlive }));
        // The link replaced the file in the same layer: the status is whatever the link points to.
        Assert.That(packages, Has.Count.EqualTo(357));
    }

    [Test]
    public void No_layers_or_no_dpkg_database_gives_nothing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Find(new ImageFiles([]), null), Is.Empty);
            Assert.That(Find(Layer("sha256:a", new() { ["etc/os-release"] = "ID=debian\n"u8.ToArray() })), Is.Empty);
            Assert.That(Find(Layer("sha256:a", new() { [Status] = [] })), Is.Empty);
        });
    }
}
