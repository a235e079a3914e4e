using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Alpine;

[TestFixture]
public sealed class ApkInstalledParserTests
{
    public static byte[] InstalledBytes(string image) =>
        File.ReadAllBytes(Corpus.PathOf("inventory", "apk", image, "lib", "apk", "db", "installed"));

    [Test]
    public void Alpine_3_18_database_has_15_packages_with_origins()
    {
        var entries = ApkInstalledParser.Parse(InstalledBytes("alpine-3.18-scalibr"));
        Assert.That(entries, Has.Count.EqualTo(15));
        Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[]
        {
            "alpine-baselayout", "alpine-baselayout-data", "alpine-keys", "apk-tools", "busybox", "busybox-binsh",
            "ca-certificates-bundle", "libc-utils", "libcrypto3", "libssl3", "musl", "musl-utils", "scanelf", "ssl_client", "zlib",
        }));
        var musl = entries.Single(e => e.Name == "musl");
        Assert.Multiple(() =>
        {
            Assert.That(musl.Version, Is.EqualTo("1.2.4-r0"));
            Assert.That(musl.Origin, Is.EqualTo("musl"));
            Assert.That(musl.Architecture, Is.EqualTo("x86_64"));
            Assert.That(musl.License, Is.EqualTo("MIT"));
            Assert.That(musl.Commit, Is.EqualTo("b0d8a9d948174e28a4aefcee4ef6be872225ccce"));
            Assert.That(musl.Files, Is.EqualTo(new[] { "lib", "lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1" }));
            var libssl = entries.Single(e => e.Name == "libssl3");
            Assert.That((libssl.Version, libssl.Origin, libssl.License), Is.EqualTo(("3.1.0-r4", "openssl", "Apache-2.0")));
            Assert.That(entries.Single(e => e.Name == "ca-certificates-bundle").License, Is.EqualTo("MPL-2.0 AND MIT"));
            Assert.That(entries.Single(e => e.Name == "scanelf").Origin, Is.EqualTo("pax-utils"));
            Assert.That(entries.Single(e => e.Name == "libc-utils").Origin, Is.EqualTo("libc-dev"));
        });
    }

    [Test]
    public void Alpine_3_16_database_has_14_packages()
    {
        var entries = ApkInstalledParser.Parse(InstalledBytes("alpine-3.16-syft"));
        Assert.That(entries, Has.Count.EqualTo(14));
        Assert.That(entries.Select(e => (e.Name, e.Version, e.Origin)), Does.Contain(("libcrypto1.1", "1.1.1q-r0", "openssl")));
        Assert.That(entries.Select(e => (e.Name, e.Version, e.Origin)), Does.Contain(("musl", "1.2.3-r0", "musl")));
        Assert.That(entries.All(e => e.Architecture == "x86_64"));
    }

    [Test]
    public void Root_files_and_the_last_directory_build_paths()
    {
        var entries = ApkInstalledParser.Parse("P:x\nV:1-r0\nR:rootfile\nF:/usr/bin/\nR:x\nR:/y\nF:etc\nR:x.conf\n");
        Assert.That(entries.Single().Files, Is.EqualTo(new[] { "rootfile", "usr/bin", "usr/bin/x", "usr/bin/y", "etc", "etc/x.conf" }));
    }

    [Test]
    public void Malformed_content_is_skipped_without_throwing()
    {
        const string text = "P:no-version\n\nV:1.0-r0\nA:x86_64\n\n::\nX\nP:ok\nV:2.0-r1\nP:second-name-ignored\ngarbage line\r\n\n\n\nP:crlf\r\nV:3-r0\r\no:\r\n";
        var entries = ApkInstalledParser.Parse(text);
        Assert.That(entries.Select(e => (e.Name, e.Version, e.Origin)), Is.EqualTo(new[] { ("ok", "2.0-r1", "ok"), ("crlf", "3-r0", "crlf") }));
        Assert.That(ApkInstalledParser.Parse(""), Is.Empty);
        Assert.That(ApkInstalledParser.Parse(new byte[] { 0xff, 0xfe, 0x00, 0x50, 0x3a }), Is.Empty);
    }
}
