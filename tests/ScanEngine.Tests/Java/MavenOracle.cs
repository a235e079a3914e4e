using System.Diagnostics;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Java;

/// <summary>
/// Maven's own <c>ComparableVersion</c> (maven-artifact from this machine's Maven) as an oracle: the pairs go
/// to a temporary file and ONE JVM, launched on a single-file Java source, prints compareTo's sign for each.
/// </summary>
internal static class MavenOracle
{
    private const char Separator = '\u001f'; // ASCII unit separator: never part of a generated version

    public static string? ArtifactJar =>
        new[] { "/usr/share/maven/lib", "/usr/share/java" }
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "maven-artifact-3*.jar").Concat(Directory.EnumerateFiles(dir, "maven-artifact.jar")))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();

    public static string? Java =>
        new[] { Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } home ? Path.Combine(home, "bin", "java") : null, "/usr/bin/java" }
            .FirstOrDefault(p => p is not null && File.Exists(p));

    public static bool Available => ArtifactJar is not null && Java is not null;

    private const string Source = """
        import java.nio.charset.StandardCharsets;
        import java.nio.file.*;
        import java.util.*;
        import org.apache.maven.artifact.versioning.ComparableVersion;

        public class Cmp {
            public static void main(String[] args) throws Exception {
                StringBuilder out = new StringBuilder();
                for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
                    if (line.isEmpty()) continue;
                    String[] parts = line.split("\u001f", -1);
                    int sign = Integer.signum(new ComparableVersion(parts[0]).compareTo(new ComparableVersion(parts[1])));
                    out.append(sign).append('\n');
                }
                Files.write(Paths.get(args[1]), out.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        """;

    /// <summary>Sign of Maven's compareTo for every pair, in order.</summary>
    public static int[] Compare(IReadOnlyList<(string A, string B)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("maven-oracle-");
        try
        {
            var input = new StringBuilder();
            foreach (var (a, b) in pairs)
            {
                if ((a + b).AsSpan().IndexOfAny(['\n', '\r', Separator]) >= 0)
                    throw new ArgumentException($"Version pair cannot be written one per line: '{a}' '{b}'");
                input.Append(a).Append(Separator).Append(b).Append('\n');
            }
            var pairsFile = Path.Combine(dir.FullName, "pairs.txt");
            var resultsFile = Path.Combine(dir.FullName, "results.txt");
            var sourceFile = Path.Combine(dir.FullName, "Cmp.java");
            File.WriteAllText(pairsFile, input.ToString(), new UTF8Encoding(false));
            File.WriteAllText(sourceFile, Source, new UTF8Encoding(false));

            var start = new ProcessStartInfo(Java!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-cp", ArtifactJar!, sourceFile, pairsFile, resultsFile }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"Maven oracle failed ({process.ExitCode}): {stderr} {stdout.Result}");

            var results = File.ReadAllLines(resultsFile).Select(int.Parse).ToArray();
            if (results.Length != pairs.Count)
                throw new InvalidOperationException($"Maven oracle answered {results.Length} of {pairs.Count} pairs.");
            return results;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
