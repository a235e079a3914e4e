using System.Formats.Tar;
using System.Text;

namespace ImageScanning.HostileInput.Tests;

/// <summary>Layers whose tar stream is hostile: huge declared headers, loops, links, masses of entries, broken or lying blobs.</summary>
public sealed class LayerTests : HostileTestBase
{
    [Test]
    public async Task A_PAX_header_declaring_a_2_GB_record_is_refused_by_name_before_it_is_allocated()
    {
        // 2 GiB declared; 256 MiB of it really follow (a few hundred KB compressed), then the stream ends.
        const long declared = 2L * 1024 * 1024 * 1024;
        var path = Layers.GzipToFile(Path.Combine(Work, "pax.tar.gz"), tar =>
        {
            tar.Write(Layers.RawHeader("PaxHeaders/bomb", 'x', declared));
            tar.Write(Encoding.ASCII.GetBytes($"{declared} path="));
            var zeros = new byte[1 << 20];
            Array.Fill(zeros, (byte)'a');
            for (var i = 0; i < 256; i++) tar.Write(zeros);
        });
        var layout = NewLayout();
        var layer = layout.AddBlobFile(path);
        layout.Tagged(layout.AddManifest([layer]));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused((string)layer["digest"]!, "limit");
        Assert.That(run.Stderr, Does.Contain("PAX").IgnoreCase.Or.Contain("extended header").IgnoreCase, run.ToString());
    }

    [Test]
    public async Task A_million_whiteouts_are_applied_within_time_and_memory()
    {
        var path = Layers.GzipToFile(Path.Combine(Work, "whiteouts.tar.gz"), stream =>
        {
            var headers = new Layers.HeaderWriter();
            for (var i = 0; i < 1_000_000; i++) stream.Write(headers.Empty($"usr/share/d{i % 1000}/.wh.f{i}"));
            stream.Write(new byte[1024]);
        });
        var layout = NewLayout();
        var base0 = layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip);
        layout.Tagged(layout.AddManifest([base0, layout.AddBlobFile(path)]));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertScanned();
        Assert.That(PackageNames(run), Has.Count.EqualTo(7), "the whiteouts remove nothing the base layer's dpkg status lists");
    }

    [Test]
    public async Task Duplicate_entries_leave_the_last_one_as_a_runtime_would()
    {
        var layer = Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", "Package: planted\nStatus: install ok installed\nVersion: 1.0\n");
            tar.WriteFile("var/lib/dpkg/status", Layers.DebianStatus);
        });
        var layout = NewLayout().WithImage(layer);

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertScanned();
        Assert.That(PackageNames(run), Has.Count.EqualTo(7).And.No.EqualTo("planted"));
    }

    [Test]
    public async Task Symlink_loops_end_the_lookup_instead_of_the_scan()
    {
        var layer = Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", Layers.DebianStatus);
            tar.WriteLink(TarEntryType.SymbolicLink, "usr/lib/os-release", "/usr/lib/os-release");
            tar.WriteLink(TarEntryType.SymbolicLink, "var/lib/dpkg/status.d/a", "b");
            tar.WriteLink(TarEntryType.SymbolicLink, "var/lib/dpkg/status.d/b", "../status.d/a");
            tar.WriteLink(TarEntryType.SymbolicLink, "lib/apk/db/installed", "../../../lib/apk/db/installed");
            tar.WriteLink(TarEntryType.SymbolicLink, "var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages");
            tar.WriteLink(TarEntryType.SymbolicLink, "var/lib/rpm/Packages", "rpmdb.sqlite");
        });
        var layout = NewLayout().WithImage(layer);

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertScanned();
        Assert.That(PackageNames(run), Has.Count.EqualTo(7), "the dpkg status beside the loops is still read");
    }

    [Test]
    public async Task A_hard_link_to_a_file_of_an_earlier_layer_resolves_as_in_the_unpacked_image()
    {
        // Layer 1 holds the database under another name; layer 2 links dpkg's status to it. A runtime unpacks the layers
        // into one tree, so the link names layer 1's file: the packages are there to be scanned.
        var first = Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", Layers.DebianStatus);
        });
        var second = Layers.Gzip(tar =>
        {
            tar.WriteLink(TarEntryType.HardLink, "var/lib/dpkg/status.d/base", "var/lib/dpkg/status");
            tar.WriteLink(TarEntryType.HardLink, "var/lib/dpkg/status.d/escape", "../../etc/shadow");
        });
        var layout = NewLayout().WithImage(first, second);

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertScanned();
        var names = PackageNames(run);
        Assert.That(names.Count(n => n == "acl"), Is.EqualTo(2), $"acl from the status file and from the hard link in status.d: {string.Join(", ", names)}");
    }

    [Test]
    public async Task A_truncated_layer_is_refused_as_corrupt_naming_the_layer()
    {
        var whole = Layers.Gzip(tar =>
        {
            tar.WriteFile("etc/os-release", Layers.OsRelease);
            tar.WriteFile("var/lib/dpkg/status", Layers.DebianStatus + new string('\n', 200_000));
        });
        var layout = NewLayout();
        var truncated = whole[..(whole.Length / 2)];
        var layer = layout.AddBlob(truncated, OciLayout.LayerGzip);
        layout.Tagged(layout.AddManifest([layer]));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused((string)layer["digest"]!, "truncated");
    }

    [Test]
    public async Task A_layer_that_does_not_match_its_digest_is_refused_naming_the_digest()
    {
        var layout = NewLayout();
        var layer = layout.AddBlob(Layers.DebianBase(), OciLayout.LayerGzip);
        var digest = (string)layer["digest"]!;
        File.WriteAllBytes(layout.BlobPath(digest), Layers.Gzip(tar => tar.WriteFile("var/lib/dpkg/status", "Package: planted\nStatus: install ok installed\nVersion: 1\n")));
        layout.Tagged(layout.AddManifest([layer]));

        var run = await ImagescanProcess.ScanAsync(layout.Target, "--format", "json");

        run.AssertRefused(digest, "does not match");
        Assert.That(run.Stdout, Does.Not.Contain("planted"));
    }
}
