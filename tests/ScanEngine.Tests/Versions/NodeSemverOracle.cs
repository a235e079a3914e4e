using System.Diagnostics;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Versions;

/// <summary>
/// node's <c>semver</c> package (what npm itself uses) as the reference for SemVer ordering. It is installed
/// with npm into a cache directory on first use; all pairs go through ONE node process reading a file.
/// </summary>
internal static class NodeSemverOracle
{
    public static readonly string CacheDirectory = Path.Combine("/var/tmp", "imagescanning-test-cache", "node-semver");
    private static string ModuleDirectory => Path.Combine(CacheDirectory, "node_modules", "semver");

    /// <summary>Why the oracle cannot run here (no node/npm), or null when it is ready.</summary>
    public static string? EnsureInstalled()
    {
        if (Which("node") is null) return "node is not installed (apt-get install nodejs npm)";
        if (File.Exists(Path.Combine(ModuleDirectory, "package.json"))) return null;
        if (Which("npm") is null) return "npm is not installed (apt-get install npm)";
        Directory.CreateDirectory(CacheDirectory);
        var (code, _, stderr) = Run("npm", ["install", "--prefix", CacheDirectory, "--no-audit", "--no-fund", "--silent", "semver@7"], null);
        if (code != 0) throw new InvalidOperationException($"npm install semver failed ({code}): {stderr}");
        return null;
    }

    /// <summary>The installed semver package version, for messages.</summary>
    public static string InstalledVersion =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ModuleDirectory, "package.json")))
            .RootElement.GetProperty("version").GetString()!;

    /// <summary>semver.compare(a, b, loose) for each pair: -1, 0 or 1, or null where semver threw (invalid).</summary>
    public static int?[] Compare(IReadOnlyList<(string A, string B)> pairs, bool loose)
    {
        var dir = Directory.CreateTempSubdirectory("node-semver-oracle-");
        try
        {
            var input = Path.Combine(dir.FullName, "pairs.tsv");
            var sb = new StringBuilder();
            foreach (var (a, b) in pairs)
            {
                if (a.AsSpan().IndexOfAny('\t', '\n') >= 0 || b.AsSpan().IndexOfAny('\t', '\n') >= 0)
                    throw new ArgumentException($"Version pair cannot be written as a line: '{a}' '{b}'");
                sb.Append(a).Append('\t').Append(b).Append('\n');
            }
            File.WriteAllText(input, sb.ToString(), new UTF8Encoding(false));

            var script = Path.Combine(dir.FullName, "compare.js");
            File.WriteAllText(script, $$"""
                const semver = require({{System.Text.Json.JsonSerializer.Serialize(ModuleDirectory)}});
                const fs = require('fs');
                const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
                const out = [];
                for (const line of lines) {
                  if (line === '') continue;
                  const [a, b] = line.split('\t');
                  try { out.push(String(semver.compare(a, b, {{(loose ? "true" : "false")}}))); } catch (e) { out.push('err'); }
                }
                fs.writeFileSync(process.argv[3], out.join('\n') + '\n');
                """, new UTF8Encoding(false));
            var output = Path.Combine(dir.FullName, "results.txt");
            var (code, _, stderr) = Run("node", [script, input, output], null);
            if (code != 0) throw new InvalidOperationException($"node semver oracle failed ({code}): {stderr}");
            var results = File.ReadAllLines(output);
            if (results.Length != pairs.Count) throw new InvalidOperationException($"node gave {results.Length} answers for {pairs.Count} pairs");
            return results.Select(r => r == "err" ? (int?)null : int.Parse(r)).ToArray();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);

    private static (int Code, string Stdout, string Stderr) Run(string command, string[] args, string? workingDirectory)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
