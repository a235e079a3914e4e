using System.Diagnostics;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>
/// The real <c>rpm</c> of this machine as the reference reader of rpm databases: it queries a temporary
/// copy of a database directory (rpm writes lock and WAL files next to it) with a fixed query format.
/// </summary>
internal static class RpmTool
{
    public const string Rpm = "/usr/bin/rpm";
    public const string QueryFormat = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{VENDOR}\\t%{MODULARITYLABEL}\\n";

    public static bool Available => File.Exists(Rpm);

    private static IReadOnlySet<string>? _backends;

    /// <summary>The database backends this rpm was built with ("sqlite", "bdb_ro", "ndb"...).</summary>
    public static IReadOnlySet<string> Backends => _backends ??= ReadBackends();

    private static HashSet<string> ReadBackends()
    {
        var (output, _) = Run(["--showrc"]);
        var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("available backends", StringComparison.Ordinal));
        return line is null ? [] : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>
    /// One line per installed package (rpm's "(none)" for absent tags), as <c>rpm -qa</c> lists them from a
    /// copy of the database file; <paramref name="backend"/> forces the backend when rpm would not pick it.
    /// </summary>
    public static IReadOnlyList<string> Query(string databaseFile, string? backend = null)
    {
        var dir = Directory.CreateTempSubdirectory("rpm-tool-");
        try
        {
            var copy = Path.Combine(dir.FullName, Path.GetFileName(databaseFile));
            File.Copy(databaseFile, copy);
            File.SetAttributes(copy, FileAttributes.Normal);
            var args = new List<string> { "--dbpath", dir.FullName };
            if (backend is not null) args.AddRange(["--define", "_db_backend " + backend]);
            args.AddRange(["-qa", "--qf", QueryFormat]);
            var (output, stderr) = Run(args);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length == 0) throw new InvalidOperationException($"rpm listed nothing from {databaseFile}: {stderr}");
            return lines;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The same query format applied by librpm's own header parser (python3-rpm's <c>rpm.hdr</c>, which refuses a blob
    /// that is not one whole, valid header) to each blob, in order: the reference for headers whose database backend this
    /// rpm cannot open (ndb on Debian).
    /// </summary>
    public static IReadOnlyList<string> FormatHeaderBlobs(IReadOnlyList<byte[]> blobs)
    {
        var dir = Directory.CreateTempSubdirectory("rpm-headers-");
        try
        {
            for (var i = 0; i < blobs.Count; i++) File.WriteAllBytes(Path.Combine(dir.FullName, $"{i:D6}.hdr"), blobs[i]);
            var script = Path.Combine(dir.FullName, "format.py");
            File.WriteAllText(script, HeaderScript);
            var start = new ProcessStartInfo(RpmOracle.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { script, dir.FullName, QueryFormat }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"librpm could not format the header blobs ({process.ExitCode}): {stderr.Result}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // QueryFormat holds rpm's escapes (a backslash, then t or n); the script passes real tabs and newlines instead.
    private const string HeaderScript = """
        import os, sys, rpm
        directory, query = sys.argv[1], sys.argv[2].replace("\\t", "\t").replace("\\n", "\n")
        for name in sorted(n for n in os.listdir(directory) if n.endswith(".hdr")):
            with open(os.path.join(directory, name), "rb") as f:
                sys.stdout.write(rpm.hdr(f.read()).format(query))
        """;

    private static (string Output, string Error) Run(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Rpm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"rpm exited with {process.ExitCode}: {stderr.Result}");
        return (output, stderr.Result);
    }
}
