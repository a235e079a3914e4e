using System.ComponentModel;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli;

/// <summary>What every command has: the cache directory holding the advisory database.</summary>
public class CacheSettings : CommandSettings
{
    [CommandOption("--cache-dir <DIR>")]
    [Description("The directory of the advisory database (default $XDG_CACHE_HOME/imagescan, else ~/.cache/imagescan)")]
    public string? CacheDir { get; init; }

    /// <summary>--cache-dir, else $XDG_CACHE_HOME/imagescan, else ~/.cache/imagescan (as the XDG base directory spec says).</summary>
    public string ResolveCacheDir()
    {
        if (!string.IsNullOrWhiteSpace(CacheDir)) return Path.GetFullPath(CacheDir);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        // The spec ignores a relative XDG_CACHE_HOME.
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "imagescan");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "imagescan");
    }
}
