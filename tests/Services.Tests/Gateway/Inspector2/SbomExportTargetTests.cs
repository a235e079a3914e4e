using System.Net;
using ImageScanning.Gateway.Inspector2.SbomExports;
using ImageScanning.ScanEngine.Sbom;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>Where an SBOM export writes: only under its bucket's directory, and CycloneDX 1.4 as 1.4's schema has it.</summary>
public sealed class SbomExportTargetTests
{
    private string _root = "";
    private ServiceProvider _http = null!;

    [SetUp]
    public void CreateRoot()
    {
        _root = Directory.CreateTempSubdirectory("inspector2-bucket-").FullName;
        _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    }

    [TearDown]
    public void DeleteRoot()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private SbomExportTarget Target() =>
        new(new SbomExportDestination { BucketName = "sboms", Directory = Path.Combine(_root, "bucket") }, _http.GetRequiredService<IHttpClientFactory>());

    [Test]
    public async Task An_object_is_written_under_the_bucket_directory_at_its_key()
    {
        await Target().WriteAsync("team/SBOM_EXPORT_1/123456789012/app/abc.json", "{}", CancellationToken.None);
        Assert.That(File.ReadAllText(Path.Combine(_root, "bucket", "team", "SBOM_EXPORT_1", "123456789012", "app", "abc.json")), Is.EqualTo("{}"));
    }

    [TestCase("../escaped.json")]
    [TestCase("a/../../escaped.json")]
    [TestCase("/etc/escaped.json")]
    public void A_key_that_would_leave_the_directory_fails_and_writes_nothing(string key)
    {
        var error = Assert.ThrowsAsync<SbomExportException>(() => Target().WriteAsync(key, "{}", CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo("INVALID_PERMISSIONS"));
            Assert.That(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories), Is.Empty);
            Assert.That(File.Exists("/etc/escaped.json"), Is.False);
        });
    }

    [Test]
    public async Task A_url_bucket_is_put_to_and_its_refusal_is_the_exports_error()
    {
        using var listener = new HttpListener();
        var port = ImageScanning.TestSupport.WebhookReceiver.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new List<(string Method, string Path, string Body)>();
        var serve = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var context = await listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream);
                received.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync()));
                context.Response.StatusCode = i == 0 ? 200 : 403;
                context.Response.Close();
            }
        });
        var target = new SbomExportTarget(new SbomExportDestination { BucketName = "sboms", Url = $"http://127.0.0.1:{port}/upload/" },
            _http.GetRequiredService<IHttpClientFactory>());
        await target.WriteAsync("p/SBOM_EXPORT_1/app/abc.json", """{"a":1}""", CancellationToken.None);
        var refused = Assert.ThrowsAsync<SbomExportException>(() => target.WriteAsync("p/second.json", "{}", CancellationToken.None))!;
        await serve;
        Assert.Multiple(() =>
        {
            Assert.That(received[0], Is.EqualTo(("PUT", "/upload/p/SBOM_EXPORT_1/app/abc.json", """{"a":1}""")));
            Assert.That(refused.ErrorCode, Is.EqualTo("INVALID_PERMISSIONS"));
        });
    }

    [Test]
    public void CycloneDx_1_4_lists_its_tools_as_1_4_does_and_names_its_version()
    {
        var subject = new SbomSubject("local/app", "sha256:" + new string('a', 64), "imagescanning-platform");
        var component = new SbomComponent("zlib", "1.3", "pkg:deb/debian/zlib@1.3", "/var/lib/dpkg/status", "sha256:" + new string('b', 64));
        var v14 = SbomWriter.CycloneDx(subject, [component], [], DateTimeOffset.UnixEpoch, "1.4");
        var v15 = SbomWriter.CycloneDx(subject, [component], [], DateTimeOffset.UnixEpoch);
        Assert.Multiple(() =>
        {
            Assert.That((string?)v14["specVersion"], Is.EqualTo("1.4"));
            Assert.That((string?)v14["metadata"]!["tools"]![0]!["name"], Is.EqualTo("imagescanning-platform"));
            Assert.That((string?)v15["specVersion"], Is.EqualTo("1.5"));
            Assert.That((string?)v15["metadata"]!["tools"]!["components"]![0]!["name"], Is.EqualTo("imagescanning-platform"));
            Assert.That(v14["components"]!.ToJsonString(), Is.EqualTo(v15["components"]!.ToJsonString()));
        });
    }
}
