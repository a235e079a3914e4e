using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Ecosystems.Wolfi;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>
/// An Alpine secdb file (https://secdb.alpinelinux.org/v3.12/main.json, or its YAML flavour), or a Wolfi or
/// Chainguard secdb file of the same shape, converted to OSV records like osv.dev's ALPINE-CVE ones: one record
/// per id (ALPINE-CVE-…, WOLFI-CVE-…, CHAINGUARD-CVE-…; upstream the CVE), one affected entry per origin package
/// with ECOSYSTEM range introduced 0, fixed at the secfixes version. Ecosystem: "Alpine:" + distroversion
/// ("Alpine:v3.12"); without a distroversion the file is Wolfi or Chainguard, told apart by reponame/urlprefix
/// (or forced with <paramref name="ecosystemOverride"/>). Ids under secfixes "0" never affected the package and
/// are left out. An id fixed at several versions of one package keeps the highest.
/// <para>
/// A secdb file covers one release and one repository, while a record covers a CVE everywhere: import all files
/// of a feed through <see cref="NativeFeed.MergeById"/> so a record for one release does not replace another's.
/// </para>
/// </summary>
public sealed class AlpineSecdbSource(string? ecosystemOverride = null) : INativeAdvisorySource
{
    public const string SourceName = "alpine-secdb";

    public string Name => SourceName;

    /// <summary>
    /// Whether a document's head is a secdb file, JSON or YAML: its "packages" and either the repository keys every secdb file
    /// carries ("distroversion" for Alpine, "reponame" and "urlprefix" for all three) or, where those come after a long package
    /// list, a package's "pkg" with its "secfixes".
    /// </summary>
    public static bool LooksLikeSecdb(string head)
    {
        var json = head.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{');
        bool Has(string key) => head.Contains(json ? $"\"{key}\"" : $"{key}:", StringComparison.Ordinal);
        return Has("packages") && (Has("distroversion") || Has("reponame") || Has("urlprefix") || (Has("pkg") && Has("secfixes")));
    }

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        using var buffer = new MemoryStream();
        await feed.CopyToAsync(buffer, ct);
        var skipped = new List<ImportFailure>();
        var document = SecdbDocument.Read(buffer.ToArray(), skipped);
        if (document is null) return new NativeFeedResult(SourceName, [], skipped);

        var ecosystem = ecosystemOverride ?? EcosystemOf(document);
        if (ecosystem is null)
        {
            skipped.Add(new ImportFailure("(feed)", "no distroversion, and reponame/urlprefix name neither Wolfi nor Chainguard"));
            return new NativeFeedResult(SourceName, [], skipped);
        }
        var source = document.DistroVersion is { Length: > 0 } release ? $"{SourceName}:{release}" : $"{SourceName}:{ecosystem.ToLowerInvariant()}";
        return new NativeFeedResult(source, Convert(document, ecosystem, skipped), skipped);
    }

    /// <summary>"Alpine:v3.12" from distroversion; "Wolfi" / "Chainguard" from the repository when there is none.</summary>
    public static string? EcosystemOf(SecdbDocument document)
    {
        if (document.DistroVersion is { Length: > 0 } version) return "Alpine:" + version.Trim();
        var where = $"{document.RepoName} {document.UrlPrefix}".ToLowerInvariant();
        if (where.Contains("chainguard", StringComparison.Ordinal) || where.Contains("cgr.dev", StringComparison.Ordinal))
            return WolfiEcosystem.ChainguardOsvEcosystem;
        if (where.Contains("wolfi", StringComparison.Ordinal)) return WolfiEcosystem.WolfiOsvEcosystem;
        return null;
    }

    private static IReadOnlyList<NativeAdvisory> Convert(SecdbDocument document, string ecosystem, List<ImportFailure> skipped)
    {
        var prefix = IdPrefixOf(ecosystem);
        var purlNamespace = prefix.TrimEnd('-').ToLowerInvariant();
        // id → package → fixed version
        var fixesById = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var package in document.Packages)
        {
            foreach (var fix in package.Fixes)
            {
                var version = fix.Version.Trim();
                if (version == "0") continue;
                if (!IsVersion(version))
                {
                    skipped.Add(new ImportFailure($"{package.Name}@{fix.Version}", "secfixes key is not a package version"));
                    continue;
                }
                foreach (var id in fix.Ids.SelectMany(i => i.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
                {
                    if (!IsIssueId(id))
                    {
                        skipped.Add(new ImportFailure($"{package.Name}@{version}", $"'{id}' is not an advisory id"));
                        continue;
                    }
                    if (!fixesById.TryGetValue(id, out var packages)) fixesById[id] = packages = new(StringComparer.Ordinal);
                    if (!packages.TryGetValue(package.Name, out var current) || ApkVersionComparer.Compare(version, current) > 0)
                        packages[package.Name] = version;
                }
            }
        }

        return fixesById.Select(entry => NativeFeed.Materialize(new OsvAdvisory
        {
            Id = entry.Key.StartsWith(prefix, StringComparison.Ordinal) ? entry.Key : prefix + entry.Key,
            Upstream = [entry.Key],
            Aliases = [entry.Key],
            Affected = entry.Value.Select(p => new OsvAffected
            {
                Package = new OsvPackage(ecosystem, p.Key, $"pkg:apk/{purlNamespace}/{p.Key}?arch=source"),
                Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, [OsvEvent.Introduced("0"), OsvEvent.Fixed(p.Value)])],
            }).ToList(),
            References = entry.Key.StartsWith("CVE-", StringComparison.Ordinal) && prefix == "ALPINE-"
                ? [new OsvReference("ADVISORY", $"https://security.alpinelinux.org/vuln/{entry.Key}")]
                : [],
        })).ToList();
    }

    private static string IdPrefixOf(string ecosystem) => ecosystem switch
    {
        WolfiEcosystem.WolfiOsvEcosystem => "WOLFI-",
        WolfiEcosystem.ChainguardOsvEcosystem => "CHAINGUARD-",
        _ => "ALPINE-",
    };

    private static bool IsVersion(string version) =>
        version.Length is > 0 and <= 128 && char.IsAsciiDigit(version[0]) && !version.Any(char.IsWhiteSpace);

    /// <summary>CVE-…, GHSA-…, XSA-…: letters, a dash, then letters, digits, dashes, dots or underscores.</summary>
    private static bool IsIssueId(string id)
    {
        var dash = id.IndexOf('-');
        return dash > 0 && dash < id.Length - 1 && id.Length <= 64
               && id[..dash].All(char.IsAsciiLetter)
               && id[(dash + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
    }
}
