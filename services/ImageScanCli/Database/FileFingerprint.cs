using System.Globalization;

namespace ImageScanning.Cli.Database;

/// <summary>
/// A cheap identity of an advisory file or directory (size and modification time, of every *.json file for a directory),
/// kept as a file source's ETag: `scan --advisories` skips a file whose fingerprint is the one it imported last time.
/// </summary>
public static class FileFingerprint
{
    public static string Of(string path)
    {
        if (Directory.Exists(path))
        {
            long count = 0, bytes = 0, newest = 0;
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*.json", new EnumerationOptions
                { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true }))
            {
                count++;
                bytes += file.Length;
                newest = Math.Max(newest, file.LastWriteTimeUtc.Ticks);
            }
            return string.Create(CultureInfo.InvariantCulture, $"dir:{count}:{bytes}:{newest}");
        }
        var info = new FileInfo(path);
        return string.Create(CultureInfo.InvariantCulture, $"file:{info.Length}:{info.LastWriteTimeUtc.Ticks}");
    }
}
