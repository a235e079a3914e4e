using System.Diagnostics;
using System.Text;

namespace ImageScanning.ScanEngine.Tests.Debian;

/// <summary>
/// The real <c>dpkg --compare-versions</c> of this machine as an oracle. Pairs go to a temporary file and
/// one bash process compares them in a few parallel loops (one dpkg process per relation asked), so that
/// thousands of pairs take seconds instead of one C# process start each.
/// </summary>
internal static class DpkgOracle
{
    public const string Dpkg = "/usr/bin/dpkg";
    private const char Separator = '\u001f'; // ASCII unit separator: never part of a version

    public static bool Available => File.Exists(Dpkg) && File.Exists("/bin/bash");

    /// <summary>
    /// -1, 0 or 1 per pair as dpkg orders them; null where dpkg rejected a version as invalid. With
    /// <paramref name="expected"/> (the relation we believe holds), dpkg is first asked to confirm just that
    /// relation, so that agreeing pairs cost one dpkg process each; a refusal is then pinned down fully.
    /// </summary>
    public static int?[] Compare(IReadOnlyList<(string A, string B)> pairs, IReadOnlyList<int>? expected = null)
    {
        var dir = Directory.CreateTempSubdirectory("dpkg-oracle-");
        try
        {
            foreach (var (a, b) in pairs)
                if ((a + b).AsSpan().IndexOfAny(['\n', '\r', Separator]) >= 0)
                    throw new ArgumentException($"Version pair cannot be passed to the shell loop: '{a}' '{b}'");

            var chunks = Math.Clamp(Environment.ProcessorCount, 1, 4);
            var files = new List<string>();
            for (var c = 0; c < chunks; c++)
            {
                var sb = new StringBuilder();
                for (var i = c; i < pairs.Count; i += chunks)
                    sb.Append(i).Append(Separator).Append(pairs[i].A).Append(Separator).Append(pairs[i].B).Append(Separator)
                        .Append(expected is null ? "" : Math.Sign(expected[i]) switch { < 0 => "lt", 0 => "eq", _ => "gt" }).Append('\n');
                var path = Path.Combine(dir.FullName, $"pairs{c}");
                File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
                files.Add(path);
            }

            var script = Path.Combine(dir.FullName, "compare.sh");
            File.WriteAllText(script, $$"""
                set -u
                dv() { {{Dpkg}} --compare-versions "$1" "$2" "$3" 2>/dev/null; }
                compare() {
                  while IFS=$'\x1f' read -r i a b hint; do
                    if [ -n "$hint" ]; then
                      dv "$a" "$hint" "$b"; rc=$?
                      if [ "$rc" -eq 0 ]; then echo "$i $hint"; continue; fi
                    fi
                    dv "$a" lt "$b"; rc=$?
                    if [ "$rc" -eq 0 ]; then echo "$i lt"; continue; fi
                    if [ "$rc" -ne 1 ]; then echo "$i err"; continue; fi
                    dv "$a" gt "$b"; rc=$?
                    if [ "$rc" -eq 0 ]; then echo "$i gt"; elif [ "$rc" -eq 1 ]; then echo "$i eq"; else echo "$i err"; fi
                  done < "$1" > "$1.out"
                }
                for f in "$@"; do compare "$f" & done
                wait

                """.Replace("\r\n", "\n"), new UTF8Encoding(false));

            var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            foreach (var f in files) start.ArgumentList.Add(f);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"dpkg oracle failed ({process.ExitCode}): {stderr}");

            var results = new int?[pairs.Count];
            var seen = new bool[pairs.Count];
            foreach (var f in files)
                foreach (var line in File.ReadLines(f + ".out"))
                {
                    var parts = line.Split(' ');
                    var i = int.Parse(parts[0]);
                    seen[i] = true;
                    results[i] = parts[1] switch { "lt" => -1, "eq" => 0, "gt" => 1, _ => null };
                }
            var missing = Array.IndexOf(seen, false);
            if (missing >= 0) throw new InvalidOperationException($"dpkg oracle gave no answer for pair {missing}: {pairs[missing]}");
            return results;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
