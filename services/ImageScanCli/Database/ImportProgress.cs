using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using Spectre.Console;

namespace ImageScanning.Cli.Database;

/// <summary>One bar of import progress: records stored so far out of a total, when known.</summary>
public interface IImportTask
{
    void Advance(int records);
    void Complete();
}

/// <summary>Where imports report how far they are: Spectre progress bars on a terminal, nothing otherwise.</summary>
public interface IImportProgress
{
    IImportTask Start(string label, long? total);
}

/// <summary>Redirected output: no bars (each command prints its summary lines instead).</summary>
public sealed class NoImportProgress : IImportProgress
{
    public static readonly NoImportProgress Instance = new();

    public IImportTask Start(string label, long? total) => Task.Instance;

    private sealed class Task : IImportTask
    {
        public static readonly Task Instance = new();
        public void Advance(int records) { }
        public void Complete() { }
    }
}

/// <summary>Bars in a live Spectre <see cref="ProgressContext"/>: one task per file or source, counted in records.</summary>
public sealed class SpectreImportProgress(ProgressContext context) : IImportProgress
{
    public IImportTask Start(string label, long? total)
    {
        var task = context.AddTask(Markup.Escape(label), maxValue: total ?? 1);
        task.IsIndeterminate = total is null;
        return new Bar(task);
    }

    /// <summary>Runs <paramref name="work"/> with bars on <paramref name="console"/>, or without any when it is null.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole? console, Func<IImportProgress, Task<T>> work)
    {
        if (console is null) return await work(NoImportProgress.Instance);
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new SpectreImportProgress(context)));
    }

    private sealed class Bar(ProgressTask task) : IImportTask
    {
        public void Advance(int records)
        {
            if (task.IsIndeterminate) task.MaxValue = task.Value + records + 1;
            task.Increment(records);
        }

        public void Complete()
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}

/// <summary>An advisory store that tells a progress task how many records each stored batch held; everything else is passed through.</summary>
internal sealed class ProgressReportingStore(IAdvisoryStore inner, IImportTask task) : IAdvisoryStore
{
    public async Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default)
    {
        var result = await inner.UpsertAsync(advisory, rawJson, ct);
        task.Advance(1);
        return result;
    }

    public async Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default)
    {
        var results = await inner.UpsertManyAsync(items, ct);
        task.Advance(results.Count);
        return results;
    }

    public Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default) =>
        inner.FindByPackageAsync(ecosystem, packageName, ct);

    public Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default) =>
        inner.FindByPackagesAsync(keys, ct);

    public Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default) => inner.GetAsync(id, ct);

    public Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) =>
        inner.FindByIdsOrAliasesAsync(ids, ct);

    public Task<long> CountAsync(CancellationToken ct = default) => inner.CountAsync(ct);

    public Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default) => inner.LastChangedAsync(ct);
}
