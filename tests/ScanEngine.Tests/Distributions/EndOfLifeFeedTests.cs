using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Distributions;

/// <summary>
/// A directory of endoflife.date API files updates the code's table: a feed entry replaces the code's, adds releases the code lacks,
/// is read again when the files change, and a broken file leaves the code's table standing.
/// </summary>
[TestFixture]
public sealed class EndOfLifeFeedTests
{
    // The shape of https://endoflife.date/api/debian.json (v0): eol is Debian's security team's end, extendedSupport LTS's.
    private const string DebianFeed = """
        [
          {"cycle":"13","codename":"Trixie","releaseDate":"2025-08-09","eol":"2028-08-09","extendedSupport":"2030-06-30","latest":"13.1","lts":false},
          {"cycle":"12","codename":"Bookworm","releaseDate":"2023-06-10","eol":"2026-06-10","extendedSupport":"2028-06-30","latest":"12.12","lts":false},
          {"cycle":"5","codename":"Lenny","releaseDate":"2009-02-14","eol":true,"extendedSupport":false,"latest":"5.0.10","lts":false}
        ]
        """;

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("eol-feed-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void AFeedEntryReplacesTheCodesAndAddsNewReleases()
    {
        File.WriteAllText(Path.Combine(_directory, "debian.json"), DebianFeed);
        var support = new EndOfLifeFeedDirectory(_directory).Current;

        var trixie = support.ReleaseOf("debian", "13");
        Assert.That(trixie, Is.EqualTo(new DistributionRelease("debian", "13", "trixie", new DateOnly(2030, 6, 30))), "LTS is Debian's free support");
        Assert.That(support.ReleaseOf("debian", "12")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2028, 6, 30)), "the feed wins over the code");
        Assert.That(support.ReleaseOf("debian", "10")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2024, 6, 30)), "the code's rows the feed lacks stand");
        Assert.That(support.ReleaseOf("debian", "5")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2009, 2, 14)), "eol: true without a date ended; its release date stands in");
    }

    [Test]
    public void UbuntusExtendedSupportIsEsmAndFalseMeansNoEnd()
    {
        File.WriteAllText(Path.Combine(_directory, "ubuntu.json"), """
            [{"cycle":"26.10","codename":"Stonking Stingray","releaseDate":"2026-10-15","eol":false,"extendedSupport":false},
             {"cycle":"24.04","codename":"Noble Numbat","releaseDate":"2024-04-25","eol":"2029-05-31","extendedSupport":"2034-04-25","lts":true}]
            """);
        var support = new EndOfLifeFeedDirectory(_directory).Current;

        Assert.That(support.ReleaseOf("ubuntu", "24.04"),
            Is.EqualTo(new DistributionRelease("ubuntu", "24.04", "noble", new DateOnly(2029, 5, 31), new DateOnly(2034, 4, 25))));
        Assert.That(support.ReleaseOf("ubuntu", "26.10"), Is.EqualTo(new DistributionRelease("ubuntu", "26.10", "stonking", null)));
    }

    [Test]
    public void TheDirectoryIsReadAgainWhenItsFilesChange()
    {
        var feeds = new EndOfLifeFeedDirectory(_directory);
        Assert.That(feeds.Current.ReleaseOf("alpine", "3.24.0"), Is.Null);

        var file = Path.Combine(_directory, "alpine-linux.json");
        File.WriteAllText(file, """[{"cycle":"3.24","releaseDate":"2026-06-01","eol":"2028-05-01"}]""");
        Assert.That(feeds.Current.ReleaseOf("alpine", "3.24.0")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2028, 5, 1)));

        File.WriteAllText(file, """[{"cycle":"3.24","releaseDate":"2026-06-01","eol":"2028-11-01"}]""");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1)); // a rewrite within the clock's resolution still counts
        Assert.That(feeds.Current.ReleaseOf("alpine", "3.24.0")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2028, 11, 1)));
    }

    [Test]
    public void ABrokenFileLeavesTheCodesTableAndIsNamed()
    {
        File.WriteAllText(Path.Combine(_directory, "rhel.json"), "{\"not\": \"an array\"}");
        File.WriteAllText(Path.Combine(_directory, "unrelated.json"), "not json at all");
        var feeds = new EndOfLifeFeedDirectory(_directory);

        Assert.That(feeds.Current.ReleaseOf("rhel", "9.4")!.EndOfSecuritySupport, Is.EqualTo(new DateOnly(2032, 5, 31)));
        Assert.That(feeds.Problems, Has.Count.EqualTo(1).And.One.Contains("rhel.json"), "files of no product are not read");
    }

    [Test]
    public void NoDirectoryIsTheCodesTable()
    {
        var feeds = new EndOfLifeFeedDirectory(null);
        Assert.That(feeds.Current.Count, Is.EqualTo(DistributionSupport.Code.Count));
        Assert.That(new EndOfLifeFeedDirectory(Path.Combine(_directory, "missing")).Current.ReleaseOf("debian", "12"), Is.Not.Null);
    }
}
