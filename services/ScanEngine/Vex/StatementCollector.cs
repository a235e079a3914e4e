namespace ImageScanning.ScanEngine.Vex;

/// <summary>Collects one document's statements within <see cref="VexLimits"/>.</summary>
internal sealed class StatementCollector(VexLimits limits, VexJson json)
{
    private readonly List<VexStatement> _statements = [];
    private long _entries;

    public IReadOnlyList<VexStatement> Statements => _statements;

    public void Add(VexStatement statement, string path)
    {
        if (_statements.Count >= limits.MaxStatements)
            throw json.Error(path, $"more than {limits.MaxStatements} statements in one document (limit VexLimits.MaxStatements)");
        _entries += statement.Products.Count + statement.Subcomponents.Count;
        if (_entries > limits.MaxProductEntries)
            throw json.Error(path, $"more than {limits.MaxProductEntries} product and subcomponent entries in one document (limit VexLimits.MaxProductEntries)");
        _statements.Add(statement);
    }

    /// <summary>Counts entries read before they become a statement, so a single huge statement is refused before it is built.</summary>
    public void Count(int entries, string path)
    {
        if (_entries + entries > limits.MaxProductEntries)
            throw json.Error(path, $"more than {limits.MaxProductEntries} product and subcomponent entries in one document (limit VexLimits.MaxProductEntries)");
    }
}
