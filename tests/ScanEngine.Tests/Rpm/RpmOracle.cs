using System.Diagnostics;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>(epoch, version, release) as rpm's Python binding takes it; null epoch/release = absent.</summary>
internal readonly record struct Evr(string? Epoch, string Version, string? Release)
{
    /// <summary>The string form the comparer and OSV records use: "[epoch:]version[-release]".</summary>
    public override string ToString() => (Epoch is null ? "" : Epoch + ":") + Version + (Release is null ? "" : "-" + Release);
}

/// <summary>
/// rpm's own <c>labelCompare</c> (python3-rpm) as the oracle: all pairs go to a temporary file that one
/// Python process compares, one answer per line.
/// </summary>
internal static class RpmOracle
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, rpm
        def field(s):
            return None if s == "\x01" else s
        out = []
        with open(sys.argv[1], encoding="utf-8") as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                a = (field(p[0]), p[1], field(p[2]))
                b = (field(p[3]), p[4], field(p[5]))
                out.append(str(rpm.labelCompare(a, b)))
        with open(sys.argv[2], "w") as f:
            f.write("\n".join(out) + "\n")
        """;

    private static bool? _available;

    /// <summary>Whether this machine's system Python can import rpm (python3-rpm installed).</summary>
    public static bool Available => _available ??= File.Exists(Python) && Run(["-c", "import rpm"]).ExitCode == 0;

    public static int[] Compare(IReadOnlyList<(Evr A, Evr B)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("rpm-oracle-");
        try
        {
            var input = Path.Combine(dir.FullName, "pairs.tsv");
            var output = Path.Combine(dir.FullName, "answers");
            var script = Path.Combine(dir.FullName, "compare.py");
            var sb = new StringBuilder();
            static string F(string? s) => s ?? "\u0001";
            foreach (var (a, b) in pairs)
                sb.Append(F(a.Epoch)).Append('\t').Append(a.Version).Append('\t').Append(F(a.Release)).Append('\t')
                  .Append(F(b.Epoch)).Append('\t').Append(b.Version).Append('\t').Append(F(b.Release)).Append('\n');
            File.WriteAllText(input, sb.ToString(), new UTF8Encoding(false));
            File.WriteAllText(script, Script, new UTF8Encoding(false));
            var (code, stderr) = Run([script, input, output]);
            if (code != 0) throw new InvalidOperationException($"rpm oracle failed ({code}): {stderr}");
            var answers = File.ReadAllLines(output).Select(int.Parse).ToArray();
            if (answers.Length != pairs.Count) throw new InvalidOperationException($"rpm oracle answered {answers.Length} of {pairs.Count} pairs");
            return answers;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Error) Run(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        return (process.ExitCode, stderr);
    }
}
