using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Ruby;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Ruby;

[TestFixture]
public sealed class GemSpecificationFinderTests
{
    private static readonly GemSpecificationFinder Finder = new();
    private const string Rake = "usr/local/lib/ruby/gems/3.0.0/specifications/rake-13.0.3.gemspec";
    private const string Bundler = "usr/local/lib/ruby/gems/2.7.0/specifications/bundler-2.1.4.gemspec";

    private static byte[] CorpusFile(string fixture, string path) =>
        File.ReadAllBytes(Path.Combine([Corpus.PathOf("inventory", "ruby", fixture), .. path.Split('/')]));

    private static byte[] Spec(string body) => Encoding.UTF8.GetBytes($"Gem::Specification.new do |spec|\n{body}\nend\n");

    [Test]
    public void Wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Wants(Rake), Is.True);
            Assert.That(Finder.Wants("var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec"), Is.True);
            Assert.That(Finder.Wants("usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec"), Is.True);
            Assert.That(Finder.Wants("app/vendor/bundle/ruby/3.1.0/gems/rails-7.0.0/rails.gemspec"), Is.False); // source tree
            Assert.That(Finder.Wants("usr/local/lib/ruby/gems/3.0.0/specifications/.gemspec"), Is.False);
            Assert.That(Finder.Wants("usr/local/lib/ruby/gems/3.0.0/myspecifications/x-1.gemspec"), Is.False);
            Assert.That(Finder.Wants("usr/local/lib/ruby/gems/3.0.0/specifications/rake-13.0.3.gemspec.bak"), Is.False);
        });
    }

    [Test]
    public void Finds_the_corpus_gems()
    {
        var files = new Dictionary<string, byte[]> { [Rake] = CorpusFile("trivy", Rake), [Bundler] = CorpusFile("syft", Bundler) };
        var packages = Finder.Find(new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = files }]), null).ToList();

        Assert.That(packages, Is.EqualTo(new[]
        {
            new Package { Name = "bundler", Version = "2.1.4", Type = "gem", FilePath = Bundler, LayerDigest = "sha256:l0" },
            new Package { Name = "rake", Version = "13.0.3", Type = "gem", FilePath = Rake, LayerDigest = "sha256:l0" },
        }));
    }

    [Test]
    public void Upgrades_and_removals_across_two_layers()
    {
        const string dir = "var/lib/gems/3.1.0/specifications/";
        var lower = new LayerFiles
        {
            Digest = "sha256:base",
            Files = new Dictionary<string, byte[]> { [Rake] = CorpusFile("trivy", Rake), [Bundler] = CorpusFile("syft", Bundler) },
        };
        var upper = new LayerFiles
        {
            Digest = "sha256:app",
            Files = new Dictionary<string, byte[]>
            {
                [dir + "nokogiri-1.13.3-x86_64-linux.gemspec"] = Spec("  spec.name = 'nokogiri'\n  spec.version = Gem::Version.new(\"1.13.3\")"),
                [dir + "activerecord-7.0.2.gemspec"] = Spec("  spec.summary = \"no name or version here\""),
            },
            Whiteouts = [Bundler],
        };

        var packages = Finder.Find(new ImageFiles([lower, upper]), null).ToList();

        Assert.That(packages.Select(p => (p.Name, p.Version, p.Architecture, p.LayerDigest)), Is.EqualTo(new[]
        {
            ("rake", "13.0.3", (string?)null, "sha256:base"),
            ("activerecord", "7.0.2", null, "sha256:app"),   // from the file name
            ("nokogiri", "1.13.3", "x86_64-linux", "sha256:app"),
        }));
    }

    [TestCase("Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.3\"\nend", "x.gemspec", "rake", "13.0.3")]
    [TestCase("  s.version = \"1.0.0.rc1\"\n  s.name = %q{ignored}", "my-gem-1.0.0.rc1.gemspec", "my-gem", "1.0.0.rc1")]
    [TestCase("  s.metadata = { \"x.name\" => \"y\" }\n  s.name = 'a'\n s.version = '2'", "a-2.gemspec", "a", "2")]
    [TestCase("", "google-protobuf-3.21.7-x86_64-linux.gemspec", "google-protobuf", "3.21.7")]
    public void Parses_assignments_with_file_name_fallback(string content, string fileName, string name, string version)
    {
        var gem = GemspecParser.Parse(Encoding.UTF8.GetBytes(content), fileName);
        Assert.That(gem, Is.Not.Null);
        Assert.That((gem!.Value.Name, gem.Value.Version), Is.EqualTo((name, version)));
    }

    [Test]
    public void Unreadable_specs_give_no_gem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GemspecParser.Parse("garbage"u8.ToArray(), "nonsense.gemspec"), Is.Null);
            Assert.That(GemspecParser.Parse([0xff, 0x00], "-1.gemspec"), Is.Null);
        });
    }
}
