using System.Diagnostics;
using System.Globalization;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>
/// One run of a command as a new process: wall-clock from start to exit, CPU time (user + system, every thread), and peak
/// resident set size, as the kernel counted them. On a shared machine the CPU time moves much less than the wall-clock.
/// </summary>
public sealed record ProcessSample(string Tool, double WallMilliseconds, double CpuMilliseconds, long PeakRssKilobytes);

public static class TimedProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> under GNU time (<c>/usr/bin/time -f "%M %U %S"</c>: maximum resident set size in KiB, user
    /// and system CPU seconds, of the process and its waited-for children). The wall-clock is taken here around the whole process, so start-up, runtime
    /// initialisation and exit are counted; the time wrapper's own fork and exec (about a millisecond) are too, for both tools alike.
    /// </summary>
    public static async Task<ProcessSample> RunAsync(string tool, string fileName, IReadOnlyList<string> arguments, string work,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var measuresFile = Path.Combine(work, $"rss-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        await ProcessRunner.RunAsync("/usr/bin/time", ["-f", "%M %U %S", "-o", measuresFile, "--", fileName, .. arguments], TimeSpan.FromMinutes(10),
            environment: environment, ct: ct);
        var wall = clock.Elapsed.TotalMilliseconds;
        var fields = (await File.ReadAllLinesAsync(measuresFile, ct)).Last(l => l.Trim().Length > 0).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        File.Delete(measuresFile);
        var cpu = (double.Parse(fields[1], CultureInfo.InvariantCulture) + double.Parse(fields[2], CultureInfo.InvariantCulture)) * 1000;
        return new ProcessSample(tool, wall, cpu, long.Parse(fields[0], CultureInfo.InvariantCulture));
    }
}
