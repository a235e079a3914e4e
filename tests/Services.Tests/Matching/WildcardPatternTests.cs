using System.Text.RegularExpressions;
using ImageScanning.ServiceDefaults.Matching;

namespace ImageScanning.Services.Tests.Matching;

public sealed class WildcardPatternTests
{
    // The suppression rule that used to time out Findings' regex (issue 12): 17 "*a", then "*ab".
    private const string PathologicalRule = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab";

    [TestCase("team/*", "team/api", true)]
    [TestCase("team/*", "team/a/b", true)] // '*' crosses '/'
    [TestCase("team/*", "other/team/api", false)] // anchored at the start
    [TestCase("*/api", "team/api", true)]
    [TestCase("*/api", "team/api2", false)] // anchored at the end
    [TestCase("team/api", "team/api", true)]
    [TestCase("team/api", "team/api2", false)] // without '*': the whole name, not a substring
    [TestCase("team.api", "teamXapi", false)] // '.' is a character, not "any character"
    [TestCase("team.api", "team.api", true)]
    [TestCase("Team/*", "team/api", false)] // ordinal: case-sensitive
    [TestCase("*", "", true)]
    [TestCase("", "", true)]
    [TestCase("", "a", false)]
    [TestCase("a*a", "a", false)] // two 'a's needed, the star between them may be empty
    [TestCase("a*a", "aa", true)]
    [TestCase("*aab", "aaab", true)] // the first try of '*' is too short: it must give the text back one by one
    [TestCase("*ab*ab", "abaabab", true)]
    [TestCase("*ab*ab", "ababa", false)]
    [TestCase("a*b*c", "abcbc", true)]
    [TestCase("a*b*c", "acb", false)]
    public void Matches_the_whole_text_each_star_standing_for_any_run_of_characters(string pattern, string text, bool matches) =>
        Assert.That(WildcardPattern.MatchesWhole(pattern, text), Is.EqualTo(matches));

    [Test]
    public void The_pathological_rule_is_decided_on_forty_character_names()
    {
        var forty = new string('a', 40);
        Assert.Multiple(() =>
        {
            Assert.That(WildcardPattern.MatchesWhole(PathologicalRule, forty), Is.False, "no 'b' at the end");
            Assert.That(WildcardPattern.MatchesWhole(PathologicalRule, forty + "b"), Is.True);
            Assert.That(WildcardPattern.MatchesWhole(PathologicalRule, new string('a', 18) + "b"), Is.True, "eighteen 'a's are enough");
            Assert.That(WildcardPattern.MatchesWhole(PathologicalRule, new string('a', 17) + "b"), Is.False, "seventeen are not");
            Assert.That(WildcardPattern.MatchesWhole(PathologicalRule, forty + "ba"), Is.False, "the 'b' must be last");
        });
    }

    [Test]
    public void Long_patterns_of_many_stars_against_long_names()
    {
        var stars = string.Concat(Enumerable.Repeat("*a", 127)) + "*"; // 255 characters, 128 stars: "at least 127 'a's"
        var everyThird = string.Concat(Enumerable.Repeat("*x", 85)); // 170 characters: "ends in 'x', holds at least 85 'x's"
        Assert.Multiple(() =>
        {
            Assert.That(WildcardPattern.MatchesWhole(stars, new string('a', 256)), Is.True);
            Assert.That(WildcardPattern.MatchesWhole(stars, new string('a', 127)), Is.True);
            Assert.That(WildcardPattern.MatchesWhole(stars, new string('a', 126)), Is.False);
            Assert.That(WildcardPattern.MatchesWhole(stars, new string('a', 126) + "b" + new string('a', 129)), Is.True, "the 'a's need not be adjacent");
            Assert.That(WildcardPattern.MatchesWhole(everyThird, string.Concat(Enumerable.Repeat("abx", 85))), Is.True);
            Assert.That(WildcardPattern.MatchesWhole(everyThird, string.Concat(Enumerable.Repeat("abx", 85)) + "a"), Is.False, "it must end in 'x'");
            Assert.That(WildcardPattern.MatchesWhole(everyThird, string.Concat(Enumerable.Repeat("abx", 84))), Is.False, "one 'x' short");
        });
    }

    /// <summary>
    /// Findings used to match suppression repositories with this regex; on inputs too small to make it backtrack for long, the
    /// linear matcher must decide exactly as it did, over an alphabet holding what the regex treated specially.
    /// </summary>
    [Test]
    public void Decides_as_the_anchored_regex_it_replaced_on_random_inputs()
    {
        var random = new Random(12);
        for (var i = 0; i < 20_000; i++)
        {
            var pattern = RandomString(random, "aA./*-_+?", random.Next(0, 7));
            var text = RandomString(random, "aA./-_+?", random.Next(0, 9));
            var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
            Assert.That(WildcardPattern.MatchesWhole(pattern, text), Is.EqualTo(Regex.IsMatch(text, regex, RegexOptions.CultureInvariant)),
                $"pattern '{pattern}' text '{text}'");
        }
    }

    private static string RandomString(Random random, string alphabet, int length) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
}
