using System.Diagnostics;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Python;

/// <summary>
/// Runs one reference-implementation process (python3, ruby) over a temporary file of version pairs, one
/// "A\x1fB" pair a line, and reads one answer a line: -1, 0, 1, or "err" where the reference rejected a version.
/// </summary>
internal static class ExternalOracle
{
    public const char Separator = '\u001f'; // ASCII unit separator: never part of a version

    public static int?[] Compare(string executable, string script, string scriptExtension, IReadOnlyList<(string A, string B)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("version-oracle-");
        try
        {
            var input = new StringBuilder();
            foreach (var (a, b) in pairs)
            {
                if ((a + b).AsSpan().IndexOfAny(['\n', '\r', Separator]) >= 0)
                    throw new ArgumentException($"Version pair cannot be written one a line: '{a}' '{b}'");
                input.Append(a).Append(Separator).Append(b).Append('\n');
            }
            var pairsPath = Path.Combine(dir.FullName, "pairs.txt");
            var outPath = Path.Combine(dir.FullName, "answers.txt");
            var scriptPath = Path.Combine(dir.FullName, "compare" + scriptExtension);
            File.WriteAllText(pairsPath, input.ToString(), new UTF8Encoding(false));
            File.WriteAllText(scriptPath, script.Replace("\r\n", "\n"), new UTF8Encoding(false));

            var start = new ProcessStartInfo(executable) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { scriptPath, pairsPath, outPath }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{executable} oracle failed ({process.ExitCode}): {stderr}");

            var lines = File.ReadAllLines(outPath);
            if (lines.Length != pairs.Count) throw new InvalidOperationException($"{executable} answered {lines.Length} of {pairs.Count} pairs");
            return lines.Select(l => l switch { "-1" => -1, "0" => 0, "1" => 1, _ => (int?)null }).ToArray();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Whether a program runs and exits 0 (e.g. a Python import check).</summary>
    public static bool Succeeds(string executable, params string[] arguments)
    {
        if (!File.Exists(executable)) return false;
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
