using System.Text;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Distributions;

[TestFixture]
public sealed class DistributionDetectorTests
{
    // Real os-release files as shipped by the distributions' images.
    private const string Debian12 = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        HOME_URL="https://www.debian.org/"
        SUPPORT_URL="https://www.debian.org/support"
        BUG_REPORT_URL="https://bugs.debian.org/"

        """;

    private const string DebianTrixieSid = """
        PRETTY_NAME="Debian GNU/Linux trixie/sid"
        NAME="Debian GNU/Linux"
        VERSION_CODENAME=trixie
        ID=debian
        HOME_URL="https://www.debian.org/"
        SUPPORT_URL="https://www.debian.org/support"
        BUG_REPORT_URL="https://bugs.debian.org/"

        """;

    private const string Debian8 = """
        PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
        NAME="Debian GNU/Linux"
        VERSION_ID="8"
        VERSION="8 (jessie)"
        ID=debian
        HOME_URL="http://www.debian.org/"
        SUPPORT_URL="http://www.debian.org/support/"
        BUG_REPORT_URL="https://bugs.debian.org/"

        """;

    private const string Ubuntu2204 = """
        PRETTY_NAME="Ubuntu 22.04.3 LTS"
        NAME="Ubuntu"
        VERSION_ID="22.04"
        VERSION="22.04.3 LTS (Jammy Jellyfish)"
        VERSION_CODENAME=jammy
        ID=ubuntu
        ID_LIKE=debian
        HOME_URL="https://www.ubuntu.com/"
        SUPPORT_URL="https://help.ubuntu.com/"
        BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
        PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
        UBUNTU_CODENAME=jammy

        """;

    private const string Alpine318 = """
        NAME="Alpine Linux"
        ID=alpine
        VERSION_ID=3.18.4
        PRETTY_NAME="Alpine Linux v3.18"
        HOME_URL="https://alpinelinux.org/"
        BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"

        """;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static FileView View(Dictionary<string, byte[]> files, Dictionary<string, string>? symlinks = null) =>
        new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = files, Symlinks = symlinks ?? [] }]).Final;

    [TestCase("etc/os-release", true)]
    [TestCase("usr/lib/os-release", true)]
    [TestCase("etc/debian_version", true)]
    [TestCase("/etc/os-release", false)]
    [TestCase("etc/lsb-release", false)]
    [TestCase("usr/lib/os-release.d/x", false)]
    [TestCase("etc/alpine-release", false)]
    public void Wants(string path, bool wanted) => Assert.That(DistributionDetector.Wants(path), Is.EqualTo(wanted));

    [Test]
    public void Debian_12_through_the_usual_symlink()
    {
        var view = View(new() { ["usr/lib/os-release"] = Bytes(Debian12), ["etc/debian_version"] = "12.5\n"u8.ToArray() },
            new() { ["etc/os-release"] = "../usr/lib/os-release" });
        Assert.That(DistributionDetector.Detect(view),
            Is.EqualTo(new Distribution("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)")));
    }

    [Test]
    public void Absolute_symlink_target()
    {
        var view = View(new() { ["usr/lib/os-release"] = Bytes(Ubuntu2204) }, new() { ["etc/os-release"] = "/usr/lib/os-release" });
        Assert.That(DistributionDetector.Detect(view), Is.EqualTo(new Distribution("ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS")));
    }

    [Test]
    public void Ubuntu_22_04() =>
        Assert.That(DistributionDetector.Detect(View(new() { ["etc/os-release"] = Bytes(Ubuntu2204) })),
            Is.EqualTo(new Distribution("ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS")));

    [Test]
    public void Alpine_3_18() =>
        Assert.That(DistributionDetector.Detect(View(new() { ["etc/os-release"] = Bytes(Alpine318) })),
            Is.EqualTo(new Distribution("alpine", "3.18.4", null, "Alpine Linux v3.18")));

    [Test]
    public void Debian_8_codename_comes_from_VERSION() =>
        Assert.That(DistributionDetector.Detect(View(new() { ["etc/os-release"] = Bytes(Debian8) })),
            Is.EqualTo(new Distribution("debian", "8", "jessie", "Debian GNU/Linux 8 (jessie)")));

    [Test]
    public void Debian_testing_without_VERSION_ID()
    {
        Assert.Multiple(() =>
        {
            // debian_version of testing/sid is not numeric: no version.
            Assert.That(DistributionDetector.Detect(View(new()
                {
                    ["etc/os-release"] = Bytes(DebianTrixieSid), ["etc/debian_version"] = "trixie/sid\n"u8.ToArray(),
                })),
                Is.EqualTo(new Distribution("debian", "", "trixie", "Debian GNU/Linux trixie/sid")));
            // A numeric debian_version gives the major version.
            Assert.That(DistributionDetector.Detect(View(new()
                {
                    ["etc/os-release"] = Bytes(DebianTrixieSid), ["etc/debian_version"] = "12.5\n"u8.ToArray(),
                }))?.VersionId,
                Is.EqualTo("12"));
            // No debian_version at all.
            Assert.That(DistributionDetector.Detect(View(new() { ["usr/lib/os-release"] = Bytes(DebianTrixieSid) }))?.VersionId,
                Is.EqualTo(""));
        });
    }

    [TestCase("12.5", "12")]
    [TestCase("12.11\n", "12")]
    [TestCase("11.9", "11")]
    [TestCase("6.0.10", "6")]
    [TestCase("13", "13")]
    [TestCase("trixie/sid", null)]
    [TestCase("bookworm/sid\n", null)]
    [TestCase("", null)]
    [TestCase("12.x", null)]
    public void Major_version_from_debian_version(string text, string? major) =>
        Assert.That(DistributionDetector.MajorFromDebianVersion(text), Is.EqualTo(major));

    [Test]
    public void Etc_wins_over_usr_lib_and_usr_lib_is_the_fallback()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DistributionDetector.Detect(View(new() { ["etc/os-release"] = Bytes(Alpine318), ["usr/lib/os-release"] = Bytes(Debian12) }))?.Id,
                Is.EqualTo("alpine"));
            Assert.That(DistributionDetector.Detect(View(new() { ["usr/lib/os-release"] = Bytes(Debian12) }))?.Id, Is.EqualTo("debian"));
            // A dangling etc/os-release link falls back to usr/lib too.
            Assert.That(DistributionDetector.Detect(View(new() { ["usr/lib/os-release"] = Bytes(Debian12) },
                new() { ["etc/os-release"] = "../run/os-release" }))?.Id, Is.EqualTo("debian"));
        });
    }

    [Test]
    public void No_os_release_gives_null()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DistributionDetector.Detect(View([])), Is.Null);
            // debian_version alone is not enough: scratch/distroless images without os-release.
            Assert.That(DistributionDetector.Detect(View(new() { ["etc/debian_version"] = "12.5\n"u8.ToArray() })), Is.Null);
        });
    }

    [Test]
    public void Whiteout_of_os_release_in_a_later_layer_gives_null()
    {
        var files = new ImageFiles([
            new LayerFiles { Digest = "sha256:a", Files = new Dictionary<string, byte[]> { ["etc/os-release"] = Bytes(Debian12) } },
            new LayerFiles { Digest = "sha256:b", Whiteouts = ["etc/os-release"] },
        ]);
        Assert.Multiple(() =>
        {
            Assert.That(DistributionDetector.Detect(files.At(0))?.VersionId, Is.EqualTo("12"));
            Assert.That(DistributionDetector.Detect(files.Final), Is.Null);
        });
    }

    [Test]
    public void Missing_ID_defaults_to_linux() =>
        Assert.That(DistributionDetector.Detect(View(new() { ["etc/os-release"] = "NAME=Something\nVERSION_ID=1\n"u8.ToArray() })),
            Is.EqualTo(new Distribution("linux", "1", null, null)));

    /// <summary>
    /// This machine's own os-release as the detector sees it (etc/os-release, usually a symlink to ../usr/lib/os-release),
    /// against the values a shell gets by sourcing the file, which is how os-release(5) says it may be read.
    /// </summary>
    [Test]
    public async Task This_machines_os_release_agrees_with_the_shell()
    {
        var (files, links) = OsReleaseFilesUnder("/");
        var detected = DistributionDetector.Detect(View(files, links));
        if (!File.Exists("/etc/os-release") && !File.Exists("/usr/lib/os-release"))
        {
            Assert.That(detected, Is.Null, "this machine has no os-release file");
            return;
        }
        var shell = await SourcedByShellAsync(File.Exists("/etc/os-release") ? "/etc/os-release" : "/usr/lib/os-release");
        string? Field(string name) => shell.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
        var expected = new Distribution(Field("ID")?.ToLowerInvariant() ?? "linux", Field("VERSION_ID") ?? "",
            Field("VERSION_CODENAME") ?? Field("UBUNTU_CODENAME"), Field("PRETTY_NAME"));
        TestContext.Out.WriteLine($"this machine: {detected}");
        Assert.That(detected, Is.EqualTo(expected));
    }

    /// <summary>The bookworm root the suite builds with debootstrap (DebianRootfs): os-release is a relative symlink there.</summary>
    [Test]
    public async Task A_debootstrap_root_is_debian_12()
    {
        var (files, links) = OsReleaseFilesUnder(await DebianRootfs.GetOrCreateAsync());
        Assert.That(links.GetValueOrDefault("etc/os-release"), Is.EqualTo("../usr/lib/os-release"));
        Assert.That(DistributionDetector.Detect(View(files, links)),
            Is.EqualTo(new Distribution("debian", "12", DebianRootfs.Suite, "Debian GNU/Linux 12 (bookworm)")));
    }

    /// <summary>The files the detector wants under <paramref name="root"/>, symlinks kept as links as a layer would hold them.</summary>
    private static (Dictionary<string, byte[]> Files, Dictionary<string, string> Links) OsReleaseFilesUnder(string root)
    {
        var files = new Dictionary<string, byte[]>();
        var links = new Dictionary<string, string>();
        foreach (var path in new[] { DistributionDetector.EtcOsRelease, DistributionDetector.UsrLibOsRelease, DistributionDetector.DebianVersion })
        {
            var info = new FileInfo(Path.Combine(root, path));
            if (info.LinkTarget is { } target) links[path] = target;
            else if (info.Exists) files[path] = File.ReadAllBytes(info.FullName);
        }
        return (files, links);
    }

    private static async Task<Dictionary<string, string>> SourcedByShellAsync(string osRelease)
    {
        var result = await ProcessRunner.RunAsync("/bin/sh",
            ["-c", """. "$1" && printf 'ID=%s\nVERSION_ID=%s\nVERSION_CODENAME=%s\nUBUNTU_CODENAME=%s\nPRETTY_NAME=%s\n' "$ID" "$VERSION_ID" "$VERSION_CODENAME" "$UBUNTU_CODENAME" "$PRETTY_NAME" """, "sh", osRelease]);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
    }
}
