using ImageScanning.ScanEngine.Images;
using Spectre.Console;

namespace ImageScanning.Cli.Cli;

/// <summary>
/// One bar per layer of the image being read, in bytes of the (compressed) layer, in a live Spectre <see cref="ProgressContext"/>.
/// Reports arrive on the reading thread in order, so the bars are updated directly rather than through a posting
/// <see cref="Progress{T}"/>.
/// </summary>
public sealed class LayerProgressBars(ProgressContext context) : IProgress<LayerProgress>
{
    private readonly Dictionary<int, ProgressTask> bars = [];

    public void Report(LayerProgress value)
    {
        lock (bars)
        {
            if (!bars.TryGetValue(value.Layer, out var bar))
            {
                var digest = value.Digest.StartsWith("sha256:", StringComparison.Ordinal) ? value.Digest[7..Math.Min(value.Digest.Length, 19)] : value.Digest;
                bar = context.AddTask($"layer {value.Layer}/{value.LayerCount} {Markup.Escape(digest)}", maxValue: Math.Max(1, value.LayerBytes));
                bars[value.Layer] = bar;
            }
            bar.Value = Math.Min(value.BytesRead, bar.MaxValue);
            if (value.BytesRead >= value.LayerBytes) bar.StopTask();
        }
    }

    /// <summary>Runs <paramref name="work"/> with bars on <paramref name="console"/>, or with no progress where it cannot draw them.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole? console, Func<IProgress<LayerProgress>?, Task<T>> work)
    {
        if (console is null) return await work(null);
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(context => work(new LayerProgressBars(context)));
    }
}
