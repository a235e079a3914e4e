using System.IO.Compression;
using System.Text.Json;
using static ImageScanning.EndToEnd.Tests.DebianTestImage;

namespace ImageScanning.Console.Tests;

/// <summary>
/// OSV advisories (Debian's shape) for more packages the test image really holds, one per CVSS band, so the console
/// shows every severity colour: HIGH with a fix, MEDIUM and LOW without. Written from the image's own dpkg status.
/// </summary>
public static class ConsoleAdvisories
{
    public static readonly (string Id, string Package, string Vector, bool Fixed)[] Planned =
    [
        ("CONSOLE-2026-0101", "apt", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", true),   // 7.5 HIGH
        ("CONSOLE-2026-0102", "tar", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", false),  // 5.4 MEDIUM
        ("CONSOLE-2026-0103", "gzip", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", false), // 3.3 LOW
    ];

    public static byte[] ToZip(IReadOnlyList<InstalledPackage> installed)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (id, binary, vector, isFixed) in Planned)
            {
                var package = installed.First(p => p.Name == binary);
                var events = new List<Dictionary<string, string>> { new() { ["introduced"] = "0" } };
                events.Add(isFixed ? new() { ["fixed"] = package.SourceVersion + "+console1" } : new() { ["last_affected"] = package.SourceVersion });
                var record = new Dictionary<string, object>
                {
                    ["schema_version"] = "1.6.0",
                    ["id"] = id,
                    ["modified"] = "2026-11-28T00:00:00Z",
                    ["published"] = "2026-11-27T00:00:00Z",
                    ["upstream"] = new[] { "CVE-" + id[8..] },
                    ["summary"] = $"{package.SourceName} - console test advisory",
                    ["severity"] = new[] { new { type = "CVSS_V3", score = vector } },
                    ["references"] = new[] { new { type = "ADVISORY", url = $"https://security-tracker.debian.org/tracker/{id}" } },
                    ["affected"] = new[]
                    {
                        new
                        {
                            package = new { ecosystem = "Debian:12", name = package.SourceName, purl = $"pkg:deb/debian/{package.SourceName}?arch=source" },
                            ranges = new[] { new { type = "ECOSYSTEM", events } },
                        },
                    },
                };
                using var writer = new StreamWriter(zip.CreateEntry(id + ".json").Open());
                writer.Write(JsonSerializer.Serialize(record));
            }
        }
        return buffer.ToArray();
    }
}
