using System.IO.Compression;
using System.Text.Json;
using static ImageScanning.EndToEnd.Tests.DebianTestImage;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// OSV advisories written for packages the test image really holds, in the shape of Debian's OSV
/// records (ecosystem "Debian:12", source package names): some affect the image, some must not.
/// </summary>
public sealed class TestAdvisories
{
    public const string FixedRange = "E2E-2026-0001";      // glibc, introduced 0, fixed above the installed version: affected, CRITICAL
    public const string ExplicitVersion = "E2E-2026-0002"; // less, the installed version listed explicitly: affected, no severity
    public const string AlreadyFixed = "E2E-2026-0003";    // glibc, fixed long ago: not affected
    public const string OtherRelease = "E2E-2026-0004";    // less in Debian:11: not this image's release
    public const string LastAffected = "E2E-2026-0005";    // dpkg, last_affected = installed version: affected

    public InstalledPackage Libc { get; }
    public InstalledPackage Less { get; }
    public InstalledPackage Dpkg { get; }
    private readonly IReadOnlyList<InstalledPackage> _installed;

    public TestAdvisories(IReadOnlyList<InstalledPackage> installed)
    {
        _installed = installed;
        Libc = installed.Single(p => p.Name == "libc6");
        Less = installed.Single(p => p.Name == "less");
        Dpkg = installed.Single(p => p.Name == "dpkg");
    }

    /// <summary>(vulnerability id, binary package) pairs the scan must report, derived from the image's own status file.</summary>
    public IReadOnlyList<(string Id, string Package)> ExpectedFindings =>
        _installed.Where(p => p.SourceName == Libc.SourceName).Select(p => (FixedRange, p.Name))
            .Append((ExplicitVersion, "less"))
            .Concat(_installed.Where(p => p.SourceName == Dpkg.SourceName).Select(p => (LastAffected, p.Name)))
            .OrderBy(f => f.Item1, StringComparer.Ordinal).ThenBy(f => f.Item2, StringComparer.Ordinal).ToList();

    public string FixedVersionForLibc => Libc.SourceVersion + "+e2e1";

    public byte[] ToZip()
    {
        var records = new[]
        {
            Record(FixedRange, "Debian:12", Libc.SourceName, Range(("introduced", "0"), ("fixed", FixedVersionForLibc)), null,
                severity: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Record(ExplicitVersion, "Debian:12", Less.SourceName, null, [Less.SourceVersion]),
            Record(AlreadyFixed, "Debian:12", Libc.SourceName, Range(("introduced", "0"), ("fixed", "1.0-1")), null),
            Record(OtherRelease, "Debian:11", Less.SourceName, Range(("introduced", "0")), null),
            Record(LastAffected, "Debian:12", Dpkg.SourceName, Range(("introduced", "0"), ("last_affected", Dpkg.SourceVersion)), null),
        };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (id, json) in records)
            {
                using var writer = new StreamWriter(zip.CreateEntry(id + ".json").Open());
                writer.Write(json);
            }
        return buffer.ToArray();
    }

    private static object[] Range(params (string Kind, string Version)[] events) =>
        [new { type = "ECOSYSTEM", events = events.Select(e => new Dictionary<string, string> { [e.Kind] = e.Version }).ToArray() }];

    private static (string, string) Record(string id, string ecosystem, string package, object[]? ranges, string[]? versions, string? severity = null)
    {
        var record = new Dictionary<string, object?>
        {
            ["schema_version"] = "1.6.0",
            ["id"] = id,
            ["modified"] = "2026-11-28T00:00:00Z",
            ["published"] = "2026-11-27T00:00:00Z",
            ["upstream"] = new[] { "CVE-" + id[4..] },
            ["summary"] = $"{package} - test advisory {id}",
            ["affected"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["package"] = new { ecosystem, name = package, purl = $"pkg:deb/debian/{package}?arch=source" },
                    ["ranges"] = ranges,
                    ["versions"] = versions,
                },
            },
        };
        if (severity is not null) record["severity"] = new[] { new { type = "CVSS_V3", score = severity } };
        return (id, JsonSerializer.Serialize(record, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
    }
}
