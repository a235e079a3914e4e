using System.Text;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// <c>golang.org/x/mod/semver</c>, the package the go command orders module versions with, as the Go comparer's
/// oracle. Debian ships its source (golang-golang-x-mod-dev, under /usr/share/gocode); a small program is built
/// against it with Debian's Go in GOPATH mode, fully offline (GO111MODULE=off, GOPROXY=off, GOFLAGS cleared, a
/// private build cache), into a temporary directory, and ONE run of it compares every pair of a file.
/// </summary>
internal static class GoSemverOracle
{
    public const string GoPath = "/usr/share/gocode";
    public static readonly string SemverSource = Path.Combine(GoPath, "src", "golang.org", "x", "mod", "semver", "semver.go");
    private const char Separator = '\u001f'; // ASCII unit separator: never part of a version

    private const string Program = """
        package main

        import (
        	"bufio"
        	"fmt"
        	"os"
        	"strings"

        	"golang.org/x/mod/semver"
        )

        // One answer a line: semver.Compare's -1, 0 or 1, or "err" where either version is not valid semver.
        func main() {
        	in, err := os.Open(os.Args[1])
        	if err != nil {
        		panic(err)
        	}
        	out, err := os.Create(os.Args[2])
        	if err != nil {
        		panic(err)
        	}
        	w := bufio.NewWriter(out)
        	s := bufio.NewScanner(in)
        	s.Buffer(make([]byte, 1<<20), 1<<20)
        	for s.Scan() {
        		p := strings.SplitN(s.Text(), "\x1f", 2)
        		if !semver.IsValid(p[0]) || !semver.IsValid(p[1]) {
        			fmt.Fprintln(w, "err")
        			continue
        		}
        		fmt.Fprintln(w, semver.Compare(p[0], p[1]))
        	}
        	if err := s.Err(); err != nil {
        		panic(err)
        	}
        	if err := w.Flush(); err != nil {
        		panic(err)
        	}
        	if err := out.Close(); err != nil {
        		panic(err)
        	}
        }
        """;

    /// <summary>Why the oracle cannot run here, or null when Go and the x/mod source are installed.</summary>
    public static string? Missing()
    {
        if (!ProcessRunner.IsInstalled("go")) return "go is not installed (apt-get install golang-go; tests/run.sh installs it)";
        if (!File.Exists(SemverSource))
            return $"{SemverSource} is missing (apt-get install golang-golang-x-mod-dev; tests/run.sh installs it)";
        return null;
    }

    /// <summary>The packaged x/mod version (Debian's changelog names it), for messages.</summary>
    public static string PackagedVersion =>
        ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "golang-golang-x-mod-dev"], throwOnError: false) is { ExitCode: 0 } r
            ? "golang-golang-x-mod-dev " + r.StandardOutput.Trim()
            : "golang.org/x/mod/semver";

    /// <summary>semver.Compare for every pair, in order; null where Go says a version is not valid.</summary>
    public static async Task<int?[]> CompareAsync(IReadOnlyList<(string A, string B)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("go-semver-oracle-");
        try
        {
            var source = Path.Combine(dir.FullName, "compare.go");
            var binary = Path.Combine(dir.FullName, "compare");
            await File.WriteAllTextAsync(source, Program, new UTF8Encoding(false));
            var environment = new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off",            // GOPATH mode: imports come from Debian's /usr/share/gocode only
                ["GOPATH"] = GoPath,
                ["GOPROXY"] = "off",                // and nothing is ever fetched
                ["GOFLAGS"] = "",                   // an outer -mod=mod must not turn module mode back on
                ["GOSUMDB"] = "off",
                ["GOTOOLCHAIN"] = "local",
                ["GOCACHE"] = Path.Combine(dir.FullName, "cache"),
                ["CGO_ENABLED"] = "0",
            };
            await ProcessRunner.RunAsync("go", ["build", "-o", binary, source], workingDirectory: dir.FullName, environment: environment);

            var input = new StringBuilder();
            foreach (var (a, b) in pairs)
            {
                if ((a + b).AsSpan().IndexOfAny(['\n', '\r', Separator]) >= 0)
                    throw new ArgumentException($"Version pair cannot be written one a line: '{a}' '{b}'");
                input.Append(a).Append(Separator).Append(b).Append('\n');
            }
            var pairsFile = Path.Combine(dir.FullName, "pairs.txt");
            var answersFile = Path.Combine(dir.FullName, "answers.txt");
            await File.WriteAllTextAsync(pairsFile, input.ToString(), new UTF8Encoding(false));
            await ProcessRunner.RunAsync(binary, [pairsFile, answersFile]);

            var lines = await File.ReadAllLinesAsync(answersFile);
            if (lines.Length != pairs.Count) throw new InvalidOperationException($"the Go oracle answered {lines.Length} of {pairs.Count} pairs");
            return [.. lines.Select(l => l switch { "-1" => -1, "0" => 0, "1" => 1, _ => (int?)null })];
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
