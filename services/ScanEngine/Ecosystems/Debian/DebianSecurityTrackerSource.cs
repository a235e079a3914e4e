using System.Text.Json;
using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>
/// The Debian Security Tracker's JSON (https://security-tracker.debian.org/tracker/data/json:
/// <c>{source package: {CVE: {description, debianbug, releases: {codename: {status, fixed_version, urgency}}}}}</c>)
/// converted to OSV records shaped like osv.dev's DEBIAN-CVE ones: one record per CVE (id "DEBIAN-CVE-…",
/// upstream the CVE), one affected entry per (source package, release) with ecosystem "Debian:N".
/// <list type="bullet">
///   <item>resolved with a fixed_version: ECOSYSTEM range introduced 0, fixed fixed_version;</item>
///   <item>resolved with fixed_version "0": the release was never affected, no entry;</item>
///   <item>open or undetermined: introduced 0 and no fix (the status is kept in ecosystem_specific);</item>
///   <item>sid (unstable) has no release number OSV keys by, so it is left out; unknown codenames are reported once.</item>
/// </list>
/// The urgency, without the tracker's trailing "*" marks, is kept as <c>ecosystem_specific.urgency</c>,
/// which <see cref="Advisories.SeverityResolver"/> reads as Debian's vendor severity. A CVE whose every entry is not
/// affected is still emitted (with no affected entries), so a stored record that said otherwise is corrected.
/// The whole file is held as one JsonDocument (the full tracker is tens of MB).
/// </summary>
public sealed partial class DebianSecurityTrackerSource : INativeAdvisorySource
{
    public const string SourceName = "debian-tracker";
    public const string IdPrefix = "DEBIAN-";

    /// <summary>Debian codenames with a release number (OSV's "Debian:N"); sid and experimental have none.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReleaseNumbers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["wheezy"] = "7", ["jessie"] = "8", ["stretch"] = "9", ["buster"] = "10", ["bullseye"] = "11",
        ["bookworm"] = "12", ["trixie"] = "13", ["forky"] = "14",
    };

    private static readonly HashSet<string> Unnumbered = new(StringComparer.Ordinal) { "sid", "unstable", "experimental" };

    public string Name => SourceName;

    /// <summary>
    /// Whether a document's head is the tracker's JSON: an object of source packages, the first one's first key an issue id
    /// ("CVE-…" or "TEMP-…").
    /// </summary>
    public static bool LooksLikeTracker(string head) => TrackerHead().IsMatch(head);

    [GeneratedRegex("""^\uFEFF?\s*\{\s*"[^"]{1,200}"\s*:\s*\{\s*"(CVE|TEMP)-""")]
    private static partial Regex TrackerHead();

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(feed, new JsonDocumentOptions { MaxDepth = 64 }, ct);
        }
        catch (JsonException e)
        {
            return new NativeFeedResult(SourceName, [], [new ImportFailure("(feed)", $"not valid JSON: {e.Message}")]);
        }
        using (document)
            return Convert(document.RootElement, ct);
    }

    private static NativeFeedResult Convert(JsonElement root, CancellationToken ct)
    {
        var skipped = new List<ImportFailure>();
        if (root.ValueKind != JsonValueKind.Object)
            return new NativeFeedResult(SourceName, [], [new ImportFailure("(feed)", $"expected an object of source packages, found {root.ValueKind}")]);

        var records = new Dictionary<string, RecordBuilder>(StringComparer.Ordinal);
        var unknownReleases = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var package in root.EnumerateObject())
        {
            ct.ThrowIfCancellationRequested();
            if (package.Value.ValueKind != JsonValueKind.Object)
            {
                skipped.Add(new ImportFailure(package.Name, $"expected an object of CVEs, found {package.Value.ValueKind}"));
                continue;
            }
            foreach (var issue in package.Value.EnumerateObject())
            {
                var label = $"{package.Name}/{issue.Name}";
                if (issue.Value.ValueKind != JsonValueKind.Object || !IsIssueId(issue.Name))
                {
                    skipped.Add(new ImportFailure(label, "not an issue id with an object value"));
                    continue;
                }
                if (!issue.Value.TryGetProperty("releases", out var releases) || releases.ValueKind != JsonValueKind.Object)
                {
                    skipped.Add(new ImportFailure(label, "releases is missing or not an object"));
                    continue;
                }
                if (!records.TryGetValue(issue.Name, out var record))
                    records[issue.Name] = record = new RecordBuilder(issue.Name);
                record.AddIssue(issue.Value);
                foreach (var release in releases.EnumerateObject())
                {
                    if (Unnumbered.Contains(release.Name)) continue;
                    if (!ReleaseNumbers.TryGetValue(release.Name, out var number))
                    {
                        unknownReleases.Add(release.Name);
                        continue;
                    }
                    if (ToAffected(package.Name, number, release.Value, out var reason) is { } affected)
                        record.Affected.Add(affected);
                    else if (reason is not null)
                        skipped.Add(new ImportFailure($"{label}/{release.Name}", reason));
                }
            }
        }
        foreach (var release in unknownReleases)
            skipped.Add(new ImportFailure(release, "release codename without a known Debian version number: left out"));

        var advisories = records.Values
            .OrderBy(r => r.IssueId, StringComparer.Ordinal)
            .Select(r => NativeFeed.Materialize(r.Build()))
            .ToList();
        return new NativeFeedResult(SourceName, advisories, skipped);
    }

    /// <summary>The affected entry of one release, or null: not affected (reason null) or unreadable (reason set).</summary>
    private static OsvAffected? ToAffected(string package, string number, JsonElement release, out string? reason)
    {
        reason = null;
        if (release.ValueKind != JsonValueKind.Object)
        {
            reason = $"release entry is {release.ValueKind}, not an object";
            return null;
        }
        var status = StringOf(release, "status");
        var fixedVersion = StringOf(release, "fixed_version")?.Trim();
        OsvEvent[] events;
        switch (status)
        {
            case "resolved" when fixedVersion == "0":
                return null;
            case "resolved" when IsVersion(fixedVersion):
                events = [OsvEvent.Introduced("0"), OsvEvent.Fixed(fixedVersion!)];
                break;
            case "resolved":
                reason = $"resolved without a usable fixed_version ({fixedVersion ?? "none"})";
                return null;
            case "open" or "undetermined":
                events = [OsvEvent.Introduced("0")];
                break;
            default:
                reason = $"unknown status '{status ?? "none"}'";
                return null;
        }

        var specific = new List<KeyValuePair<string, string>>();
        if (CleanUrgency(StringOf(release, "urgency")) is { } urgency) specific.Add(new("urgency", urgency));
        specific.Add(new("status", status));
        return new OsvAffected
        {
            Package = new OsvPackage(DebianEcosystem.OsvEcosystemPrefix + number, package, $"pkg:deb/debian/{package}?arch=source"),
            Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, events)],
            EcosystemSpecific = NativeFeed.StringObject(specific),
        };
    }

    /// <summary>"high**" → "high": the stars mark urgencies not set by the security team; the word is the same.</summary>
    public static string? CleanUrgency(string? urgency)
    {
        var word = urgency?.Trim().TrimEnd('*').Trim();
        return string.IsNullOrEmpty(word) ? null : word;
    }

    private static bool IsIssueId(string id) =>
        (id.StartsWith("CVE-", StringComparison.Ordinal) || id.StartsWith("TEMP-", StringComparison.Ordinal))
        && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsVersion(string? version) =>
        !string.IsNullOrEmpty(version) && version.Length <= 256 && !version.Any(char.IsWhiteSpace) && char.IsAsciiDigit(version[0]);

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Collects one CVE across the source packages it is listed under.</summary>
    private sealed class RecordBuilder(string issueId)
    {
        public string IssueId { get; } = issueId;
        public List<OsvAffected> Affected { get; } = [];
        private string? description;
        private readonly SortedSet<long> bugs = [];

        public void AddIssue(JsonElement issue)
        {
            if (description is null && StringOf(issue, "description") is { Length: > 0 } text) description = text.Trim();
            if (issue.TryGetProperty("debianbug", out var bug) && bug.ValueKind == JsonValueKind.Number && bug.TryGetInt64(out var number) && number > 0)
                bugs.Add(number);
        }

        public OsvAdvisory Build()
        {
            var isCve = IssueId.StartsWith("CVE-", StringComparison.Ordinal);
            List<OsvReference> references = [new("ADVISORY", $"https://security-tracker.debian.org/tracker/{IssueId}")];
            references.AddRange(bugs.Select(b => new OsvReference("REPORT", $"https://bugs.debian.org/{b}")));
            return new OsvAdvisory
            {
                Id = IdPrefix + IssueId,
                Upstream = isCve ? [IssueId] : [],
                Aliases = isCve ? [IssueId] : [],
                Details = description,
                Affected = Affected
                    .OrderBy(a => a.Package!.Ecosystem, StringComparer.Ordinal)
                    .ThenBy(a => a.Package!.Name, StringComparer.Ordinal)
                    .ToList(),
                References = references,
            };
        }
    }
}
