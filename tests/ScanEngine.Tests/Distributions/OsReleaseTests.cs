using ImageScanning.ScanEngine.Distributions;

namespace ImageScanning.ScanEngine.Tests.Distributions;

[TestFixture]
public sealed class OsReleaseTests
{
    [Test]
    public void Quotes_escapes_comments_and_blank_lines()
    {
        const string text = "\uFEFF# a comment\n" +
            "\n" +
            "   \n" +
            "ID=debian\n" +
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n" +
            "SINGLE='it is \"single\" $HOME'\n" +
            "ESCAPED=\"a \\\"quoted\\\" \\\\ \\$var \\`cmd\\` \\n kept\"\n" +
            "UNQUOTED=some\\ thing\n" +
            "MIXED=ab\"cd\"'ef'\n" +
            "TRAILING=value   \r\n" +
            "  INDENTED=yes\n" +
            "    # indented comment\n" +
            "EMPTY=\n" +
            "EMPTY_QUOTED=\"\"\n" +
            "UNTERMINATED=\"oops\n" +
            "not a line\n" +
            "1BAD=x\n" +
            "BAD-KEY=x\n" +
            "=novalue\n" +
            "ID=debian2\n"; // a later assignment wins
        var fields = OsRelease.Parse(text);
        Assert.That(fields, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["ID"] = "debian2",
            ["PRETTY_NAME"] = "Debian GNU/Linux 12 (bookworm)",
            ["SINGLE"] = "it is \"single\" $HOME",
            ["ESCAPED"] = "a \"quoted\" \\ $var `cmd` \\n kept",
            ["UNQUOTED"] = "some thing",
            ["MIXED"] = "abcdef",
            ["TRAILING"] = "value",
            ["INDENTED"] = "yes",
            ["EMPTY"] = "",
            ["EMPTY_QUOTED"] = "",
        }));
    }

    [Test]
    public void Garbage_never_throws()
    {
        var random = new Random(3);
        const string alphabet = "AB_=\"'\\ \t\n#x1";
        for (var n = 0; n < 5_000; n++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            Assert.DoesNotThrow(() => OsRelease.Parse(text), text);
        }
    }
}
