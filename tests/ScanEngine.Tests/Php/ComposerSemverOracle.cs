using System.Text;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Php;

/// <summary>
/// Composer's own version library, composer/semver from Debian's php-composer-semver, run by php-cli as the Composer
/// comparer's oracle: ONE PHP process reads a file of pairs and, for each, normalises both versions with
/// <c>VersionParser::normalize</c> and compares the normalised forms with <c>Comparator</c> (which is PHP's
/// version_compare, with Composer's rule for "dev-" branches). That is how Composer itself checks an installed
/// version against a constraint such as an advisory's affected range.
/// </summary>
internal static class ComposerSemverOracle
{
    public const string Autoload = "/usr/share/php/Composer/Semver/autoload.php";
    private const char Separator = '\u001f'; // ASCII unit separator: never part of a version

    /// <summary>What composer/semver said about one pair.</summary>
    /// <param name="Order">-1, 0 or 1; null where Composer relates them neither way (a branch) or one did not normalise.</param>
    /// <param name="NormalizedA">VersionParser::normalize of A, or null where it threw UnexpectedValueException.</param>
    public sealed record Answer(int? Order, string? NormalizedA, string? NormalizedB);

    private const string Script = """
        <?php
        require '/usr/share/php/Composer/Semver/autoload.php';
        use Composer\Semver\Comparator;
        use Composer\Semver\VersionParser;

        $parser = new VersionParser();
        function normalized($parser, $v) {
            try { return $parser->normalize($v); } catch (UnexpectedValueException $e) { return null; }
        }
        $out = fopen($argv[2], 'w');
        foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $line) {
            [$a, $b] = explode("\x1f", $line, 2);
            $na = normalized($parser, $a);
            $nb = normalized($parser, $b);
            if ($na === null || $nb === null) $order = 'err';
            elseif (Comparator::lessThan($na, $nb)) $order = '-1';
            elseif (Comparator::equalTo($na, $nb)) $order = '0';
            elseif (Comparator::greaterThan($na, $nb)) $order = '1';
            else $order = 'none';
            fwrite($out, $order . "\t" . ($na ?? "\x01") . "\t" . ($nb ?? "\x01") . "\n");
        }
        fclose($out);
        """;

    /// <summary>Why the oracle cannot run here, or null when php-cli and php-composer-semver are installed.</summary>
    public static string? Missing()
    {
        if (!ProcessRunner.IsInstalled("php")) return "php is not installed (apt-get install php-cli; tests/run.sh installs it)";
        if (!File.Exists(Autoload)) return $"{Autoload} is missing (apt-get install php-composer-semver; tests/run.sh installs it)";
        return null;
    }

    /// <summary>The packaged composer/semver version, for messages.</summary>
    public static string PackagedVersion =>
        ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "php-composer-semver"], throwOnError: false) is { ExitCode: 0 } r
            ? "php-composer-semver " + r.StandardOutput.Trim()
            : "composer/semver";

    public static async Task<Answer[]> CompareAsync(IReadOnlyList<(string A, string B)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("composer-semver-oracle-");
        try
        {
            var input = new StringBuilder();
            foreach (var (a, b) in pairs)
            {
                if ((a + b).AsSpan().IndexOfAny(['\n', '\r', Separator, '\u0001']) >= 0)
                    throw new ArgumentException($"Version pair cannot be written one a line: '{a}' '{b}'");
                input.Append(a).Append(Separator).Append(b).Append('\n');
            }
            var script = Path.Combine(dir.FullName, "compare.php");
            var pairsFile = Path.Combine(dir.FullName, "pairs.txt");
            var answersFile = Path.Combine(dir.FullName, "answers.txt");
            await File.WriteAllTextAsync(script, Script, new UTF8Encoding(false));
            await File.WriteAllTextAsync(pairsFile, input.ToString(), new UTF8Encoding(false));
            await ProcessRunner.RunAsync("php", ["-n", "-d", "memory_limit=512M", script, pairsFile, answersFile]);

            var lines = await File.ReadAllLinesAsync(answersFile);
            if (lines.Length != pairs.Count) throw new InvalidOperationException($"the Composer oracle answered {lines.Length} of {pairs.Count} pairs");
            static string? Form(string s) => s == "\u0001" ? null : s;
            return
            [
                .. lines.Select(l => l.Split('\t')).Select(f => new Answer(
                    f[0] switch { "-1" => -1, "0" => 0, "1" => 1, _ => null }, Form(f[1]), Form(f[2]))),
            ];
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
