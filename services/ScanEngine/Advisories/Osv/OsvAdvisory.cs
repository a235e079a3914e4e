using System.Text.Json;

namespace ImageScanning.ScanEngine.Advisories.Osv;

/// <summary>
/// One OSV record (https://ossf.github.io/osv-schema/), as far as the engine uses it. Unknown
/// fields are ignored; <c>database_specific</c> and <c>ecosystem_specific</c> are kept as JSON.
/// </summary>
public sealed record OsvAdvisory
{
    public required string Id { get; init; }
    public string? SchemaVersion { get; init; }
    public DateTimeOffset? Modified { get; init; }
    public DateTimeOffset? Published { get; init; }

    /// <summary>When the record was withdrawn; see <see cref="IsWithdrawn"/> for presence.</summary>
    public DateTimeOffset? Withdrawn { get; init; }

    /// <summary>True when the record has a non-null <c>withdrawn</c> field, even an unreadable one.</summary>
    public bool IsWithdrawn { get; init; }

    /// <summary>
    /// <c>aliases</c> followed by <c>upstream</c> (Debian, Ubuntu and Alpine records name their CVE
    /// there), in record order, without duplicates and without the record's own id.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The record's <c>upstream</c> list as written (also merged into <see cref="Aliases"/>).</summary>
    public IReadOnlyList<string> Upstream { get; init; } = [];

    public IReadOnlyList<string> Related { get; init; } = [];
    public string? Summary { get; init; }
    public string? Details { get; init; }
    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];
    public IReadOnlyList<OsvReference> References { get; init; } = [];
    public IReadOnlyList<OsvAffected> Affected { get; init; } = [];

    /// <summary>Top-level <c>database_specific</c> (GHSA: severity, cwe_ids, github_reviewed...).</summary>
    public JsonElement? DatabaseSpecific { get; init; }

    /// <summary>The CVE ids among the id and the aliases.</summary>
    public IEnumerable<string> CveIds =>
        new[] { Id }.Concat(Aliases).Where(a => a.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase));
}

/// <summary>A <c>severity[]</c> entry: type CVSS_V2, CVSS_V3, CVSS_V4, or a vendor's own (Ubuntu).</summary>
public sealed record OsvSeverity(string Type, string Score);

/// <summary>A <c>references[]</c> entry (ADVISORY, WEB, FIX, REPORT, PACKAGE, ARTICLE, ...).</summary>
public sealed record OsvReference(string Type, string Url);

/// <summary>The package an <c>affected[]</c> entry is about.</summary>
public sealed record OsvPackage(string Ecosystem, string Name, string? Purl);

/// <summary>An <c>affected[]</c> entry. GIT-only entries may have no package.</summary>
public sealed record OsvAffected
{
    public OsvPackage? Package { get; init; }
    public IReadOnlyList<OsvRange> Ranges { get; init; } = [];
    public IReadOnlyList<string> Versions { get; init; } = [];

    /// <summary>Per-package severity (schema 1.4+); usually empty.</summary>
    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];

    public JsonElement? EcosystemSpecific { get; init; }
    public JsonElement? DatabaseSpecific { get; init; }
}

public static class OsvRangeTypes
{
    public const string Ecosystem = "ECOSYSTEM";
    public const string Semver = "SEMVER";
    public const string Git = "GIT";
}

/// <summary>A <c>ranges[]</c> entry: type ECOSYSTEM, SEMVER or GIT, with its events as written.</summary>
public sealed record OsvRange(string Type, string? Repo, IReadOnlyList<OsvEvent> Events);

public enum OsvEventKind { Introduced, Fixed, LastAffected, Limit }

/// <summary>One range event: introduced, fixed, last_affected or limit, with its version.</summary>
public readonly record struct OsvEvent(OsvEventKind Kind, string Version)
{
    public static OsvEvent Introduced(string version) => new(OsvEventKind.Introduced, version);
    public static OsvEvent Fixed(string version) => new(OsvEventKind.Fixed, version);
    public static OsvEvent LastAffected(string version) => new(OsvEventKind.LastAffected, version);
    public static OsvEvent Limit(string version) => new(OsvEventKind.Limit, version);
}
