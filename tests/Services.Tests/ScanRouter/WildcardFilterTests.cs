using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

public class WildcardFilterTests
{
    private static readonly string[] Repositories = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"];

    // The official table, ECR user guide "image-scanning-filters" (INTERFACES §1.3): filter → match per repository above.
    private static readonly (string Filter, bool[] Matches)[] OfficialTable =
    [
        ("prod",      [true,  true,  true,  true,  true]),
        ("*prod",     [true,  true,  false, false, false]),
        ("prod*",     [true,  false, true,  false, true]),
        ("*prod*",    [true,  true,  true,  true,  true]),
        ("prod*repo", [false, false, true,  false, true]),
    ];

    private static IEnumerable<TestCaseData> OfficialCells()
    {
        foreach (var (filter, matches) in OfficialTable)
            for (var i = 0; i < Repositories.Length; i++)
                yield return new TestCaseData(filter, Repositories[i], matches[i]).SetName($"Official table: {filter} vs {Repositories[i]} = {(matches[i] ? "Y" : "N")}");
    }

    [TestCaseSource(nameof(OfficialCells))]
    public void Official_table_cell(string filter, string repository, bool expected) =>
        Assert.That(WildcardFilter.Matches(filter, repository), Is.EqualTo(expected));

    [Test]
    public void Official_table_has_all_25_cells() =>
        Assert.That(OfficialCells().Count(), Is.EqualTo(25));

    [TestCase("*", "prod", true)]
    [TestCase("*", "team/app/service", true)]
    [TestCase("*", "", true)]
    [TestCase("**", "anything/at/all", true)]
    [TestCase("**", "", true)]
    [TestCase("***prod***", "x/prod/y", true)]
    [TestCase("team/*", "team/app", true)]
    [TestCase("team/*", "team/a/b/c", true)]
    [TestCase("team/*", "other/team/app", false)]
    [TestCase("*/app", "team/app", true)]
    [TestCase("*/app", "a/b/app", true)]
    [TestCase("*/app", "app", false)]
    [TestCase("team", "myteam/app", true)] // no '*': substring, '/' is not special
    [TestCase("m/a", "team/app", true)]
    [TestCase("a*b*c", "abc", true)]
    [TestCase("a*b*c", "axxbyyc", true)]
    [TestCase("a*b*c", "abcbc", true)]
    [TestCase("a*b*c", "acb", false)]
    [TestCase("a*b*c", "abcx", false)]
    [TestCase("a*a", "a", false)]
    [TestCase("a*a", "aa", true)]
    [TestCase("prod", "", false)]
    [TestCase("prod", "pro", false)]
    [TestCase("Prod", "prod", false)] // ordinal, case-sensitive
    [TestCase("", "prod", false)] // an empty filter selects nothing
    [TestCase("", "", false)]
    public void Edge_cases(string filter, string repository, bool expected) =>
        Assert.That(WildcardFilter.Matches(filter, repository), Is.EqualTo(expected));

    [Test]
    public void Typed_filter_uses_the_same_matching()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WildcardFilter.Matches(new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD), "prod-api"), Is.True);
            Assert.That(WildcardFilter.Matches(new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD), "api-prod"), Is.False);
            Assert.That(WildcardFilter.Matches(new ScanningRepositoryFilter("prod", (RepositoryFilterType)42), "prod"), Is.False);
        });
    }

    [Test]
    public void Pathological_patterns_run_in_polynomial_time()
    {
        var filter = string.Concat(Enumerable.Repeat("*a", 120)) + "*b"; // 243 chars, valid ECR filter
        var name = new string('a', 256);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++) Assert.That(WildcardFilter.Matches(filter, name), Is.False);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void Agrees_with_an_anchored_reference_glob_on_random_inputs()
    {
        var random = new Random(1234);
        const string alphabet = "ab/*";
        for (var i = 0; i < 20_000; i++)
        {
            var filter = RandomString(random, alphabet, random.Next(1, 7));
            var name = RandomString(random, "ab/", random.Next(0, 8));
            var expected = filter.Contains('*') ? ReferenceGlob(filter, 0, name, 0) : name.Contains(filter, StringComparison.Ordinal);
            Assert.That(WildcardFilter.Matches(filter, name), Is.EqualTo(expected), $"filter '{filter}' name '{name}'");
        }
    }

    private static string RandomString(Random random, string alphabet, int length) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

    // Exhaustive recursive definition of "each * = zero or more characters, whole name": exponential, fine for tiny inputs.
    private static bool ReferenceGlob(string p, int i, string s, int j)
    {
        if (i == p.Length) return j == s.Length;
        if (p[i] == '*') return ReferenceGlob(p, i + 1, s, j) || (j < s.Length && ReferenceGlob(p, i, s, j + 1));
        return j < s.Length && p[i] == s[j] && ReferenceGlob(p, i + 1, s, j + 1);
    }
}
