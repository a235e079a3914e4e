namespace ImageScanning.ScanEngine.Vex;

/// <summary>The statement that applies to a finding, and what of it matched.</summary>
/// <param name="Product">The statement's product that names the finding's image (or the containing package, or the package itself).</param>
/// <param name="Subcomponent">The statement's subcomponent that names the package; null when the statement covers every package of the product.</param>
public sealed record VexMatch(VexStatement Statement, string Product, string? Subcomponent)
{
    /// <summary>True when the finding should be silenced (not_affected, fixed).</summary>
    public bool Silences => Statement.Status.Silences();
}
