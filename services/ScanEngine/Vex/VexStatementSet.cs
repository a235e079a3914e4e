namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// A set of VEX statements, indexed by vulnerability id and alias, that tells which statement applies to a finding
/// (<see cref="Match"/>). A statement applies when it names the finding's vulnerability (its id or an alias, either side's,
/// case-insensitive) and
/// <list type="bullet">
///   <item>one of its products names the image (an oci purl: name = the repository's last segment, version = the image's digest
///   when given, repository_url = the image's registry and repository when given; an image digest; a CPE the image has; a
///   bom-ref-only product of a document attached to the image) or a package containing the finding's, and it has no
///   subcomponents or one of them names the finding's package; or</item>
///   <item>it has no subcomponents and one of its products names the finding's package itself.</item>
/// </list>
/// Purls name a package per <see cref="Purl.Covers"/>. When several apply, the newest wins (OpenVEX: a later statement
/// overrides an earlier), then one naming the package over one covering the whole product, then the later in the set.
/// </summary>
public sealed class VexStatementSet
{
    private readonly Dictionary<string, List<Compiled>> _byVulnerability = new(StringComparer.OrdinalIgnoreCase);

    public VexStatementSet(IEnumerable<VexStatement> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var order = 0;
        foreach (var statement in statements)
        {
            var compiled = new Compiled(statement, order++, statement.Products.Select(VexProduct.Of).ToList(), statement.Subcomponents.Select(VexProduct.Of).ToList());
            Count++;
            foreach (var id in statement.Aliases.Prepend(statement.VulnerabilityId).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!_byVulnerability.TryGetValue(id, out var list)) _byVulnerability[id] = list = [];
                list.Add(compiled);
            }
        }
    }

    public VexStatementSet(IEnumerable<VexDocument> documents) : this(documents.SelectMany(d => d.Statements))
    {
    }

    public int Count { get; }

    /// <summary>The statement that applies to the finding, or null when none does.</summary>
    public VexMatch? Match(VexFinding finding) =>
        Candidates(finding)
            .OrderByDescending(m => m.Match.Statement.Timestamp ?? DateTimeOffset.MinValue)
            .ThenByDescending(m => m.Match.Subcomponent is not null || m.ByPackage)
            .ThenByDescending(m => m.Order)
            .Select(m => m.Match)
            .FirstOrDefault();

    /// <summary>Every statement that applies to the finding, in set order (for showing the whole history).</summary>
    public IReadOnlyList<VexMatch> MatchAll(VexFinding finding) => Candidates(finding).OrderBy(m => m.Order).Select(m => m.Match).ToList();

    private IEnumerable<(VexMatch Match, int Order, bool ByPackage)> Candidates(VexFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var package = Purl.TryParse(finding.PackagePurl);
        var containing = finding.ContainingPurls.Select(Purl.TryParse).OfType<Purl>().ToList();
        var seen = new HashSet<int>();
        foreach (var id in finding.Aliases.Prepend(finding.VulnerabilityId))
        {
            if (!_byVulnerability.TryGetValue(id, out var statements)) continue;
            foreach (var compiled in statements)
                if (seen.Add(compiled.Order) && compiled.Apply(finding, package, containing) is { } match)
                    yield return (match.Match, compiled.Order, match.ByPackage);
        }
    }

    private sealed record Compiled(VexStatement Statement, int Order, IReadOnlyList<VexProduct> Products, IReadOnlyList<VexProduct> Subcomponents)
    {
        public (VexMatch Match, bool ByPackage)? Apply(VexFinding finding, Purl? package, IReadOnlyList<Purl> containing)
        {
            foreach (var product in Products)
            {
                if (product.NamesImage(finding, Statement.Subject) || containing.Any(product.NamesPackage))
                {
                    if (Subcomponents.Count == 0) return (new VexMatch(Statement, product.Text, null), false);
                    if (Subcomponents.FirstOrDefault(s => s.NamesPackage(package)) is { } subcomponent)
                        return (new VexMatch(Statement, product.Text, subcomponent.Text), true);
                }
                else if (Subcomponents.Count == 0 && product.NamesPackage(package))
                    return (new VexMatch(Statement, product.Text, null), true);
            }
            return null;
        }
    }
}
