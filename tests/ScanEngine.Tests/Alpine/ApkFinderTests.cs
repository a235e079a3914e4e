using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Alpine;

[TestFixture]
public sealed class ApkFinderTests
{
    private const string Installed = "lib/apk/db/installed";
    private static readonly ApkFinder Finder = new();

    private static byte[] Old => ApkInstalledParserTests.InstalledBytes("alpine-3.16-syft");
    private static byte[] New => ApkInstalledParserTests.InstalledBytes("alpine-3.18-scalibr");

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

    /// <summary>(name, version) of a database, independently of the finder.</summary>
    private static HashSet<(string, string)> NameVersions(byte[] db) => [.. ApkInstalledParser.Parse(db).Select(e => (e.Name, e.Version))];

    [Test]
    public void Name_version_and_wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Name, Is.EqualTo("apk"));
            Assert.That(Finder.Version, Is.EqualTo("1"));
            Assert.That(Finder.Wants("lib/apk/db/installed"), Is.True);
            Assert.That(Finder.Wants("usr/lib/apk/db/installed"), Is.True);
            Assert.That(Finder.Wants("/lib/apk/db/installed"), Is.False);
            Assert.That(Finder.Wants("lib/apk/db/scripts.tar"), Is.False);
            Assert.That(Finder.Wants("lib/apk/db/triggers"), Is.False);
            Assert.That(Finder.Wants("lib/apk/db/installed.old"), Is.False);
            Assert.That(Finder.Wants("var/lib/dpkg/status"), Is.False);
        });
    }

    [Test]
    public void A_single_layer_gives_every_package_with_its_origin()
    {
        var packages = Find(Layer("sha256:base", new() { [Installed] = New }));
        Assert.That(packages, Has.Count.EqualTo(15));
        Assert.That(packages.Single(p => p.Name == "libcrypto3"), Is.EqualTo(new Package
        {
            Name = "libcrypto3", Version = "3.1.0-r4", Type = "apk", SourceName = "openssl", SourceVersion = "3.1.0-r4",
            Architecture = "x86_64", FilePath = Installed, LayerDigest = "sha256:base",
        }));
    }

    [Test]
    public void Packages_are_attributed_to_the_layer_that_installed_their_current_version()
    {
        var packages = Find(Layer("sha256:old", new() { [Installed] = Old }), Layer("sha256:new", new() { [Installed] = New }));
        var unchanged = NameVersions(Old).Intersect(NameVersions(New)).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(packages, Has.Count.EqualTo(15));
            Assert.That(unchanged, Is.EquivalentTo(new[] { ("alpine-keys", "2.4-r1") }));
            foreach (var p in packages)
                Assert.That(p.LayerDigest, Is.EqualTo(unchanged.Contains((p.Name, p.Version)) ? "sha256:old" : "sha256:new"), p.Name);
            // Gone in the later layer: not reported.
            Assert.That(packages.Any(p => p.Name == "libcrypto1.1"), Is.False);
        });
    }

    [Test]
    public void An_upgrade_in_a_later_layer_re_attributes_only_that_package()
    {
        var text = Encoding.UTF8.GetString(New);
        var upgraded = text.Replace("P:musl\nV:1.2.4-r0\n", "P:musl\nV:1.2.4-r3\n");
        Assert.That(upgraded, Is.Not.EqualTo(text));
        var packages = Find(Layer("sha256:base", new() { [Installed] = New }),
            Layer("sha256:other", new() { ["etc/motd"] = "hi"u8.ToArray() }),
            Layer("sha256:upgrade", new() { [Installed] = Encoding.UTF8.GetBytes(upgraded) }));
        Assert.That(packages.Where(p => p.LayerDigest == "sha256:upgrade").Select(p => (p.Name, p.Version)),
            Is.EqualTo(new[] { ("musl", "1.2.4-r3") }));
        Assert.That(packages.Count(p => p.LayerDigest == "sha256:base"), Is.EqualTo(14));
    }

    [TestCase("whiteout", Installed)]
    [TestCase("whiteout", "lib/apk")]
    [TestCase("whiteout", "lib")]
    [TestCase("opaque", "lib/apk/db")]
    [TestCase("opaque", "")]
    public void Removing_the_database_removes_its_packages(string kind, string path)
    {
        var removal = kind == "whiteout" ? Layer("sha256:rm", whiteouts: [path]) : Layer("sha256:rm", opaque: [path]);
        Assert.That(Find(Layer("sha256:base", new() { [Installed] = New }), removal), Is.Empty);

        var restored = Find(Layer("sha256:base", new() { [Installed] = New }), removal, Layer("sha256:again", new() { [Installed] = New }));
        Assert.That(restored, Has.Count.EqualTo(15));
        Assert.That(restored.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:again" }));
    }

    [Test]
    public void Unrelated_removals_change_nothing()
    {
        var packages = Find(Layer("sha256:base", new() { [Installed] = New }),
            Layer("sha256:rm", whiteouts: ["lib/apk/db/scripts.tar", "lib/apk/exec", "usr/lib"], opaque: ["etc/apk"]));
        Assert.That(packages, Has.Count.EqualTo(15));
        Assert.That(packages.Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:base" }));
    }

    [Test]
    public void Usr_merged_database_is_read_when_lib_has_none()
    {
        var packages = Find(Layer("sha256:usr", new() { ["usr/lib/apk/db/installed"] = Old }));
        Assert.That(packages, Has.Count.EqualTo(14));
        Assert.That(packages.Select(p => p.FilePath).Distinct(), Is.EqualTo(new[] { "usr/lib/apk/db/installed" }));

        // Both present: lib/apk/db/installed is apk's database.
        var both = Find(Layer("sha256:a", new() { ["usr/lib/apk/db/installed"] = Old, [Installed] = New }));
        Assert.That(both, Has.Count.EqualTo(15));
    }

    [Test]
    public void A_symlinked_lib_directory_is_followed()
    {
        var packages = Find(
            Layer("sha256:a", new() { ["usr/lib/apk/db/installed"] = Old }, symlinks: new() { [Installed] = "../../../usr/lib/apk/db/installed" }),
            Layer("sha256:b", new() { ["usr/lib/apk/db/installed"] = New }));
        Assert.That(packages, Has.Count.EqualTo(15));
        Assert.That(packages.Single(p => p.Name == "alpine-keys").LayerDigest, Is.EqualTo("sha256:a"));
        Assert.That(packages.Single(p => p.Name == "musl").LayerDigest, Is.EqualTo("sha256:b"));
    }

    [Test]
    public void No_layers_or_no_database_gives_nothing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Find(new ImageFiles([]), null), Is.Empty);
            Assert.That(Find(Layer("sha256:a", new() { ["etc/os-release"] = "ID=alpine\n"u8.ToArray() })), Is.Empty);
            Assert.That(Find(Layer("sha256:a", new() { [Installed] = [] })), Is.Empty);
        });
    }
}
