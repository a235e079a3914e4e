using ImageScanning.TestSupport;

namespace ImageScanning.Comparison.Tests;

/// <summary>
/// An input both tools scan: a corpus subtree, plus the OS identity files Trivy needs to pick its OS analyzer.
/// <paramref name="TrivyFindsNothingBecause"/> names why Trivy v0.44 reports no package at all for it; the test
/// checks that this is still so, so that a Trivy that learns the input turns the comparison back on.
/// </summary>
public sealed record CorpusRoot(string Ecosystem, string Case, IReadOnlyDictionary<string, string> OsFiles, string? TrivyFindsNothingBecause = null)
{
    public override string ToString() => $"{Ecosystem}/{Case}";
}

/// <summary>Lays corpus subtrees and the debootstrap Debian rootfs out as image roots in temporary directories.</summary>
public static class ComparisonRoots
{
    private static Dictionary<string, string> Debian(string version) => new()
    {
        ["etc/os-release"] = $"PRETTY_NAME=\"Debian GNU/Linux {version}\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"{version}\"\nID=debian\n",
        ["etc/debian_version"] = $"{version}.0\n",
    };

    private static Dictionary<string, string> Ubuntu(string version, string codename) => new()
    {
        ["etc/os-release"] = $"NAME=\"Ubuntu\"\nVERSION_ID=\"{version}\"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME={codename}\n",
        ["etc/lsb-release"] = $"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE={version}\nDISTRIB_CODENAME={codename}\n",
    };

    private static Dictionary<string, string> Alpine(string version) => new()
    {
        ["etc/os-release"] = $"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={version}\n",
        ["etc/alpine-release"] = version + "\n",
    };

    private static Dictionary<string, string> OsRelease(string id, string version, string name) => new()
    {
        ["etc/os-release"] = $"NAME=\"{name}\"\nID=\"{id}\"\nVERSION_ID=\"{version}\"\n",
    };

    private static readonly Dictionary<string, string> NoOs = [];

    private const string ComposerVendorNotReadByTrivy = KnownDifferences.ComposerVendorNotReadByTrivy;

    /// <summary>Every corpus inventory case, with the OS its database comes from (PROVENANCE.md).</summary>
    public static IEnumerable<CorpusRoot> CorpusCases() =>
    [
        new("dpkg", "debian-12-scalibr-valid", Debian("12")),
        new("dpkg", "ubuntu-18.04-texlive", Ubuntu("18.04", "bionic"),
            TrivyFindsNothingBecause: "Trivy's dpkg analyzer scans the status file one paragraph per bufio.Scanner token, at most 64 KiB; "
            + "texlive-latex-extra's paragraph is 69,648 bytes, so Trivy logs 'token too long' and reports no OS package. A Trivy bug, not a miss of ours."),
        new("dpkg", "ubuntu-18.04-trivy-valid", Ubuntu("18.04", "bionic")),
        new("dpkg-distroless", "syft-image-distroless-deb", Debian("12")),
        new("dpkg-distroless", "syft-pkg-coverage", Debian("12")),
        new("apk", "alpine-3.16-syft", Alpine("3.16.0")),
        new("apk", "alpine-3.18-scalibr", Alpine("3.18.0")),
        new("rpm", "cbl-mariner-2.0", new Dictionary<string, string>(OsRelease("mariner", "2.0", "Common Base Linux Mariner"))
        {
            ["etc/mariner-release"] = "CBL-Mariner 2.0.20220226\n",
        }),
        new("rpm", "sle15-bci", OsRelease("sles", "15.3", "SLES")),
        new("rpm", "libuuid-bdb", new Dictionary<string, string>(OsRelease("centos", "7", "CentOS Linux"))
        {
            ["etc/redhat-release"] = "CentOS Linux release 7.9.2009 (Core)\n",
        }),
        new("python", "trivy-packaging", NoOs),
        new("python", "trivy-python-dir", NoOs),
        new("java", "scalibr", NoOs),
        new("java", "trivy", NoOs),
        new("npm", "syft-npm-lock", NoOs),
        new("npm", "trivy-happy", NoOs),
        new("dotnet", "syft", NoOs),
        new("dotnet", "trivy", NoOs),
        new("ruby", "syft", NoOs),
        new("ruby", "trivy", NoOs),
        new("php", "syft-composer1", NoOs, TrivyFindsNothingBecause: ComposerVendorNotReadByTrivy),
        new("php", "syft-composer2", NoOs, TrivyFindsNothingBecause: ComposerVendorNotReadByTrivy),
        new("cargo", "syft", NoOs),
        new("cargo", "trivy-ci-test", NoOs),
    ];

    /// <summary>A temporary image root holding the corpus case (copied: the corpus is read-only) and its OS files.</summary>
    public static async Task<string> LayOutAsync(CorpusRoot input, string root, CancellationToken ct = default)
    {
        Directory.CreateDirectory(root);
        await ProcessRunner.RunAsync("cp", ["-a", "--", Path.Combine(Corpus.PathOf("inventory", input.Ecosystem, input.Case), "."), root], ct: ct);
        foreach (var (path, content) in input.OsFiles)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, ct);
        }
        return root;
    }

    /// <summary>
    /// The debootstrap Debian 12 rootfs with language packages where images keep them: Python dist-info in
    /// the system site-packages, an app with jars, node_modules, a .NET deps.json, a Cargo.lock and a
    /// Composer vendor tree under /app, and a gemspec in Ruby's system gem directory.
    /// </summary>
    public static async Task<string> DebianWithLanguagesAsync(string root, CancellationToken ct = default)
    {
        await DebianRootfs.CopyToAsync(root, ct);
        var editor = new RootfsEditor(root);
        editor.CopyDirectory(Corpus.PathOf("inventory", "python", "trivy-python-dir", "usr", "local", "lib", "python3.10", "site-packages"),
            "usr/local/lib/python3.11/site-packages");
        editor.CopyDirectory(Corpus.PathOf("inventory", "java", "trivy", "app"), "app/lib");
        editor.CopyDirectory(Corpus.PathOf("inventory", "npm", "trivy-happy", "app"), "app/web");
        editor.CopyDirectory(Corpus.PathOf("inventory", "dotnet", "trivy", "app"), "app/dotnet");
        editor.CopyDirectory(Corpus.PathOf("inventory", "cargo", "trivy-ci-test", "app"), "app/rust");
        editor.CopyDirectory(Corpus.PathOf("inventory", "php", "syft-composer2", "app"), "app/php");
        editor.CopyDirectory(Corpus.PathOf("inventory", "ruby", "trivy", "usr", "local", "lib", "ruby", "gems", "3.0.0", "specifications"),
            "var/lib/gems/3.1.0/specifications");
        return root;
    }
}
