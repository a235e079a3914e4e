using System.Diagnostics;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>One run of a command as a new process: wall-clock from start to exit, and peak resident set size as the kernel counted it.</summary>
public sealed record ProcessSample(string Tool, double WallMilliseconds, long PeakRssKilobytes);

public static class TimedProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> under GNU time (<c>/usr/bin/time -f %M</c>: maximum resident set size of the process and
    /// its waited-for children, in KiB). The wall-clock is taken here around the whole process, so start-up, runtime
    /// initialisation and exit are counted; the time wrapper's own fork and exec (about a millisecond) are too, for both tools alike.
    /// </summary>
    public static async Task<ProcessSample> RunAsync(string tool, string fileName, IReadOnlyList<string> arguments, string work,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var rssFile = Path.Combine(work, $"rss-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        await ProcessRunner.RunAsync("/usr/bin/time", ["-f", "%M", "-o", rssFile, "--", fileName, .. arguments], TimeSpan.FromMinutes(10),
            environment: environment, ct: ct);
        var wall = clock.Elapsed.TotalMilliseconds;
        var rss = long.Parse((await File.ReadAllLinesAsync(rssFile, ct)).Last(l => l.Trim().Length > 0).Trim());
        File.Delete(rssFile);
        return new ProcessSample(tool, wall, rss);
    }
}
