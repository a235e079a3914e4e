using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Rpm;

namespace ImageScanning.ScanEngine.Ecosystems.Oracle;

/// <summary>
/// Oracle's ELSA OVAL file (<see cref="OvalDocument"/>) converted to OSV records, one per <c>class="patch"</c> definition:
/// id the ELSA id (the <c>source="elsa"</c> reference, else the title's "ELSA-2024-1234:" prefix), aliases and upstream
/// its CVE ids, summary the rest of the title, details the description, published/modified the advisory's issued date,
/// and one affected entry per package under "Oracle Linux:N" (N from the "Oracle Linux N is installed" criterion, or the
/// oraclelinux-release test's "^N" version pattern) with an ECOSYSTEM range introduced 0, fixed at the "less than" evr
/// of the package's rpminfo_state. A package listed per architecture with different builds keeps the highest.
/// Oracle's severity (LOW, MODERATE, IMPORTANT, CRITICAL) is kept as <c>ecosystem_specific.severity</c>.
/// <para>
/// Skipped with a reason: definitions that are not patches, not ELSA, name no or several Oracle Linux releases, negate a
/// criterion, point at a test, object or state the file lacks, or compare an evr other than "less than"; and packages
/// fixed at a Ksplice build (".ksplice" in the release, "2:2.28-236.0.1.ksplice1.el8"): those updates are for the
/// Ksplice-patched userspace, their epoch sorts them above every ordinary build, so keying them would flag every glibc
/// and openssl that is not Ksplice's. A definition left with no package is skipped too.
/// </para>
/// </summary>
public sealed partial class OracleOvalSource : INativeAdvisorySource
{
    public const string SourceName = "oracle-oval";
    private const string ReleasePackage = "oraclelinux-release";

    public string Name => SourceName;

    /// <summary>Whether a document's head is OVAL definitions of Oracle's ELSA: an &lt;oval_definitions&gt; root and an ELSA definition id.</summary>
    public static bool LooksLikeElsaOval(string head) =>
        head.Contains("oval_definitions", StringComparison.Ordinal) && head.Contains("oval:com.oracle.elsa:def:", StringComparison.Ordinal);

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        // The full file is hundreds of MB: a stream that cannot seek is spooled to disk, not memory, to tell bzip2 and gzip from XML.
        await using var seekable = await NativeFeed.SeekableAsync(feed, ct);
        var (document, error) = OvalDocument.Read(seekable, ct);
        if (document is null) return new NativeFeedResult(SourceName, [], [new ImportFailure("(feed)", error ?? "unreadable")]);

        var skipped = new List<ImportFailure>();
        var converted = new SortedDictionary<string, OsvAdvisory>(StringComparer.Ordinal);
        for (var i = 0; i < document.Definitions.Count; i++)
        {
            var definition = document.Definitions[i];
            var label = definition.Id is { Length: > 0 } id ? id : $"(definition {i + 1})";
            if (Convert(document, definition, label, skipped) is not { } advisory) continue;
            if (!converted.TryAdd(advisory.Id, advisory)) skipped.Add(new ImportFailure(advisory.Id, "the ELSA id appears twice in the file: the first is kept"));
        }
        return new NativeFeedResult(SourceName, converted.Values.Select(NativeFeed.Materialize).ToList(), skipped);
    }

    private static OsvAdvisory? Convert(OvalDocument document, OvalDefinition definition, string label, List<ImportFailure> skipped)
    {
        if (definition.Id is null) return Skip(skipped, label, "no id");
        if (!string.Equals(definition.Class, "patch", StringComparison.Ordinal)) return Skip(skipped, label, $"class '{definition.Class}' is not a patch definition");
        if (ElsaIdOf(definition) is not { } elsa) return Skip(skipped, label, "no ELSA id in its references or title");
        label = elsa;
        if (definition.HasNegatedCriteria) return Skip(skipped, label, "negated criteria cannot be read as 'package earlier than a fix'");

        var releases = new SortedSet<string>(StringComparer.Ordinal);
        var fixedByName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var criterion in definition.Criteria)
        {
            if (criterion.Comment is { } comment && InstalledRelease().Match(comment.Trim()) is { Success: true } installed)
            {
                releases.Add(int.Parse(installed.Groups[1].Value).ToString(System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }
            if (criterion.TestRef is null || !document.Tests.TryGetValue(criterion.TestRef, out var test))
                return Skip(skipped, label, $"criterion '{criterion.Comment}' points at test '{criterion.TestRef}', which the file lacks");
            if (test.ObjectRef is null || !document.ObjectNames.TryGetValue(test.ObjectRef, out var name))
                return Skip(skipped, label, $"test '{criterion.TestRef}' points at object '{test.ObjectRef}', which the file lacks");
            var states = new List<OvalState>();
            foreach (var stateRef in test.StateRefs)
            {
                if (!document.States.TryGetValue(stateRef, out var state)) return Skip(skipped, label, $"test '{criterion.TestRef}' points at state '{stateRef}', which the file lacks");
                states.Add(state);
            }
            if (name == ReleasePackage)
            {
                foreach (var state in states)
                    if (state.VersionOperation == "pattern match" && state.Version is { } pattern && ReleasePattern().Match(pattern) is { Success: true } m)
                        releases.Add(m.Groups[1].Value);
                continue; // also the "Oracle Linux arch is x86_64" tests
            }
            foreach (var state in states.Where(s => s.Evr is not null))
            {
                if (state.EvrOperation != "less than" || state.EvrDatatype is not (null or "evr_string"))
                    return Skip(skipped, label, $"{name}: evr operation '{state.EvrOperation}' ({state.EvrDatatype}) is not 'less than' an evr_string");
                var evr = state.Evr!;
                if (evr.Contains(".ksplice", StringComparison.OrdinalIgnoreCase))
                {
                    skipped.Add(new ImportFailure($"{label}/{name}", $"fixed at the Ksplice build {evr}: only Ksplice-patched userspace is affected, which the version alone does not tell"));
                    continue;
                }
                if (!IsEvr(evr))
                {
                    skipped.Add(new ImportFailure($"{label}/{name}", $"'{evr}' is not EPOCH:VERSION-RELEASE"));
                    continue;
                }
                if (!fixedByName.TryGetValue(name, out var current) || RpmVersionComparer.Instance.Compare(evr, current) > 0)
                    fixedByName[name] = evr;
            }
        }
        if (releases.Count != 1)
            return Skip(skipped, label, releases.Count == 0 ? "no 'Oracle Linux N is installed' criterion" : $"names several releases ({string.Join(", ", releases)})");
        if (fixedByName.Count == 0) return Skip(skipped, label, "no package criterion with a usable 'earlier than' version");

        var release = releases.Single();
        var ecosystem = OracleLinuxEcosystem.OsvEcosystemPrefix + release;
        var cves = definition.References.Where(r => string.Equals(r.Source, "CVE", StringComparison.OrdinalIgnoreCase)).Select(r => r.RefId?.Trim())
            .Concat(definition.AdvisoryCves).OfType<string>().Where(c => CveId().IsMatch(c))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var elsaUrl = definition.References.FirstOrDefault(r => string.Equals(r.Source, "elsa", StringComparison.OrdinalIgnoreCase))?.RefUrl;
        var references = new List<OsvReference> { new("ADVISORY", IsWebUrl(elsaUrl) ? elsaUrl!.Trim() : $"https://linux.oracle.com/errata/{elsa}.html") };
        references.AddRange(definition.References.Where(r => string.Equals(r.Source, "CVE", StringComparison.OrdinalIgnoreCase) && IsWebUrl(r.RefUrl))
            .Select(r => r.RefUrl!.Trim()).Distinct(StringComparer.Ordinal).Select(u => new OsvReference("WEB", u)));
        var specific = definition.Severity is { Length: > 0 } severity ? NativeFeed.StringObject([new("severity", severity)]) : (System.Text.Json.JsonElement?)null;
        var issued = OsvParser.ParseTime(definition.Issued);

        return new OsvAdvisory
        {
            Id = elsa,
            Aliases = cves,
            Upstream = cves,
            Summary = SummaryOf(definition.Title, elsa),
            Details = definition.Description,
            Published = issued,
            Modified = issued,
            References = references,
            Affected = fixedByName.Select(p => new OsvAffected
            {
                Package = new OsvPackage(ecosystem, p.Key, $"pkg:rpm/oracle/{p.Key}?distro=oraclelinux-{release}"),
                Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, [OsvEvent.Introduced("0"), OsvEvent.Fixed(p.Value)])],
                EcosystemSpecific = specific,
            }).ToList(),
        };
    }

    /// <summary>The <c>source="elsa"</c> reference's ref_id, else the title's leading "ELSA-YYYY-NNNN".</summary>
    public static string? ElsaIdOf(OvalDefinition definition)
    {
        var fromReference = definition.References.FirstOrDefault(r => string.Equals(r.Source, "elsa", StringComparison.OrdinalIgnoreCase))?.RefId?.Trim();
        if (fromReference is not null && ElsaId().IsMatch(fromReference)) return fromReference;
        return definition.Title is { } title && ElsaTitle().Match(title.Trim()) is { Success: true } m ? m.Groups[1].Value : null;
    }

    private static string? SummaryOf(string? title, string elsa)
    {
        if (title is null) return null;
        var trimmed = title.Trim();
        return trimmed.StartsWith(elsa + ":", StringComparison.Ordinal) ? trimmed[(elsa.Length + 1)..].Trim() : trimmed;
    }

    private static bool IsEvr(string evr)
    {
        var colon = evr.IndexOf(':');
        var dash = evr.LastIndexOf('-');
        return evr.Length <= 256 && !evr.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            && (colon < 0 || (colon > 0 && evr[..colon].All(char.IsAsciiDigit))) && dash > colon + 1 && dash < evr.Length - 1;
    }

    private static bool IsWebUrl(string? url) => Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";

    private static OsvAdvisory? Skip(List<ImportFailure> skipped, string label, string reason)
    {
        skipped.Add(new ImportFailure(label, reason));
        return null;
    }

    [GeneratedRegex(@"^Oracle Linux (\d{1,3}) is installed$")]
    private static partial Regex InstalledRelease();

    [GeneratedRegex(@"^\^(\d{1,3})(?:\\?\.|$)")]
    private static partial Regex ReleasePattern();

    [GeneratedRegex(@"^ELSA-\d{4}-\d{1,8}$")]
    private static partial Regex ElsaId();

    [GeneratedRegex(@"^(ELSA-\d{4}-\d{1,8}):")]
    private static partial Regex ElsaTitle();

    [GeneratedRegex(@"^CVE-\d{4}-\d{4,}$")]
    private static partial Regex CveId();
}
