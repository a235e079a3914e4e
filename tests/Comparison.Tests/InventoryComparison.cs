namespace ImageScanning.Comparison.Tests;

/// <summary>The two package sets of one input and how they differ, per purl type.</summary>
public sealed class InventoryComparison(string input, IReadOnlySet<PackageKey> ours, IReadOnlySet<PackageKey> trivy)
{
    public string Input { get; } = input;
    public IReadOnlySet<PackageKey> Ours { get; } = ours;
    public IReadOnlySet<PackageKey> Trivy { get; } = trivy;
    public IReadOnlyList<PackageKey> Common { get; } = ours.Intersect(trivy).Order(KeyOrder.Instance).ToList();
    public IReadOnlyList<PackageKey> OnlyOurs { get; } = ours.Except(trivy).Order(KeyOrder.Instance).ToList();
    public IReadOnlyList<PackageKey> OnlyTrivy { get; } = trivy.Except(ours).Order(KeyOrder.Instance).ToList();

    /// <summary>A table of counts per purl type, then the differences one per line.</summary>
    public void Print(TextWriter writer)
    {
        writer.WriteLine($"== {Input}");
        writer.WriteLine($"{"type",-10} {"ours",6} {"trivy",6} {"common",7} {"onlyOurs",9} {"onlyTrivy",10}");
        foreach (var type in Ours.Concat(Trivy).Select(k => k.Type).Distinct().Order(StringComparer.Ordinal).Append("ALL"))
        {
            bool Of(PackageKey k) => type == "ALL" || k.Type == type;
            writer.WriteLine($"{type,-10} {Ours.Count(Of),6} {Trivy.Count(Of),6} {Common.Count(Of),7} {OnlyOurs.Count(Of),9} {OnlyTrivy.Count(Of),10}");
        }
        foreach (var key in OnlyOurs) writer.WriteLine($"  only ours:  {key}");
        foreach (var key in OnlyTrivy) writer.WriteLine($"  only Trivy: {key}");
    }

    private sealed class KeyOrder : IComparer<PackageKey>
    {
        public static readonly KeyOrder Instance = new();
        public int Compare(PackageKey? x, PackageKey? y) => StringComparer.Ordinal.Compare(x?.ToString(), y?.ToString());
    }
}
