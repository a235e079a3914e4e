using System.Diagnostics;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Advisories;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Matching;

/// <summary>The matcher over hundreds of packages against thousands of advisories, as a scan runs it.</summary>
public class MatcherScaleTests
{
    [Test]
    public async Task Hundreds_of_packages_against_the_go_feed_and_the_GHSA_records()
    {
        var directory = Path.Combine(Path.GetTempPath(), "matcher-scale", Guid.NewGuid().ToString("N"));
        try
        {
            using var store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
            var importer = new OsvImporter(store);
            await importer.ImportZipFileAsync(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
            await importer.ImportDirectoryAsync(Corpus.PathOf("osv", "ghsa-osvdev"));

            // 600 Go modules of the feed at version 0.0.1 (inside every "introduced 0" range).
            var goModules = new HashSet<string>(StringComparer.Ordinal);
            using (var zip = System.IO.Compression.ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip")))
                foreach (var entry in zip.Entries)
                {
                    using var reader = new StreamReader(entry.Open());
                    foreach (var affected in OsvParser.Parse(reader.ReadToEnd()).Affected)
                        if (affected.Package is { } p) goModules.Add(p.Name);
                }
            var packages = goModules.Take(600).Select(name => new Package
            {
                Name = name, Version = "v0.0.1", Type = "golang", FilePath = "app/server", LayerDigest = "sha256:" + new string('a', 64),
            }).ToList();
            var go = new TestEcosystem("test-go", "golang", "Go", DottedVersionComparer.Instance, advisoryVersion: p => p.Version.TrimStart('v'));

            var matcher = new VulnerabilityMatcher(store);
            await matcher.MatchAsync(packages.Take(10).ToList(), null, [go]); // warm-up
            var watch = Stopwatch.StartNew();
            var matches = await matcher.MatchAsync(packages, null, [go]);
            watch.Stop();

            TestContext.Out.WriteLine($"{packages.Count} packages, {matches.Count} matches in {watch.ElapsedMilliseconds} ms");
            Assert.That(matches, Has.Count.GreaterThan(packages.Count));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
