using System.Text.Json;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.Gateway.Webhooks.Distribution;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>Parsing of real CNCF distribution notifications (captured from docker-registry 2.8.2 and the distribution docs).</summary>
public sealed class DistributionNotificationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T03:00:00Z");

    [Test]
    public void A_real_push_sequence_yields_exactly_the_manifest_push()
    {
        // skopeo's push: one envelope per POST — layer blob, config blob, then the manifest.
        var envelopes = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("webhooks", "distribution", "push-sequence-docker-registry-2.8.2.json")))
            .RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList();
        Assert.That(envelopes, Has.Count.EqualTo(3));

        var results = envelopes.Select(body => DistributionNotification.Parse("local", body, Now)).ToList();
        var pushes = results.SelectMany(r => r.Pushes).ToList();

        Assert.That(pushes, Has.Count.EqualTo(1));
        var push = pushes[0];
        Assert.Multiple(() =>
        {
            Assert.That(push.Registry, Is.EqualTo("local"));
            Assert.That(push.Repository, Is.EqualTo("demo/app"));
            Assert.That(push.Digest, Does.Match("^sha256:[a-f0-9]{64}$"));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.Parse("2026-11-28T02:29:12Z")).Within(TimeSpan.FromSeconds(1)));
            Assert.That(results.Take(2).SelectMany(r => r.Outcomes).Select(o => o.Outcome), Is.All.EqualTo("ignored"));
        });
    }

    [Test]
    public void The_captured_oci_manifest_push_keeps_its_tag_and_event_id()
    {
        var body = File.ReadAllText(Corpus.PathOf("webhooks", "distribution", "push-manifest-oci-docker-registry-2.8.2.json"));
        var expected = JsonDocument.Parse(body).RootElement.GetProperty("events")[0];

        var (pushes, _) = DistributionNotification.Parse("local", body, Now);

        Assert.That(pushes, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(pushes[0].DeliveryId, Is.EqualTo(expected.GetProperty("id").GetString()));
            Assert.That(pushes[0].Tag, Is.EqualTo(expected.GetProperty("target").GetProperty("tag").GetString()));
            Assert.That(pushes[0].Digest, Is.EqualTo(expected.GetProperty("target").GetProperty("digest").GetString()));
        });
    }

    [Test]
    public void A_manifest_pull_becomes_an_image_pull_and_never_a_push()
    {
        var body = File.ReadAllText(Corpus.PathOf("webhooks", "distribution", "envelope-manifest-pull.json"));

        var parsed = DistributionNotification.ParseEvents("local", body, Now);

        Assert.That(parsed.Pushes, Is.Empty);
        var pull = parsed.Pulls.Single();
        Assert.Multiple(() =>
        {
            Assert.That(pull.DeliveryId, Is.EqualTo("320678d8-ca14-430f-8bb6-4ca139cd83f7"));
            Assert.That(pull.Repository, Is.EqualTo("hello-world"));
            Assert.That(pull.Digest, Is.EqualTo("sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf"));
            Assert.That(pull.PulledAt, Is.EqualTo(DateTimeOffset.Parse("2016-03-09T22:44:26.402973972Z")).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(parsed.Outcomes.Single().Outcome, Is.EqualTo("accepted"));
        });
    }

    [TestCase("imagescanning-scanner/1.0", "application/vnd.oci.image.manifest.v1+json", "scanner")]
    [TestCase("curl/7.38.0", "application/octet-stream", "not of an image manifest")]
    [TestCase("curl/7.38.0", "application/vnd.oci.image.index.v1+json", "not of an image manifest")]
    public void Scanner_pulls_blob_pulls_and_index_pulls_are_ignored(string userAgent, string mediaType, string reason)
    {
        var body = File.ReadAllText(Corpus.PathOf("webhooks", "distribution", "envelope-manifest-pull.json"))
            .Replace("curl/7.38.0", userAgent, StringComparison.Ordinal)
            .Replace("application/vnd.docker.distribution.manifest.v2+json", mediaType, StringComparison.Ordinal);

        var parsed = DistributionNotification.ParseEvents("local", body, Now);

        Assert.That(parsed.Pulls, Is.Empty);
        Assert.That(parsed.Outcomes.Single().Reason, Does.Contain(reason));
    }

    [TestCase("application/vnd.oci.image.index.v1+json", "index")]
    [TestCase("application/vnd.docker.distribution.manifest.list.v2+json", "index")]
    [TestCase("application/vnd.example.unknown+json", "not an image manifest")]
    [TestCase("application/vnd.docker.distribution.manifest.v1+prettyjws", "not an image manifest")]
    public void Indexes_and_unknown_media_types_are_ignored(string mediaType, string reason)
    {
        var (pushes, outcomes) = DistributionNotification.Parse("local", PushOf("team/app", Digest('a'), mediaType), Now);

        Assert.That(pushes, Is.Empty);
        Assert.That(outcomes.Single().Reason, Does.Contain(reason));
    }

    [TestCase("not json at all", "not valid JSON")]
    [TestCase("[]", "\"events\" array")]
    [TestCase("{\"events\": {}}", "\"events\" array")]
    [TestCase("{\"events\": [42]}", "not an object")]
    [TestCase("{\"events\": [{\"id\":\"x\",\"action\":\"push\"}]}", "without a \"target\"")]
    public void Malformed_bodies_get_a_clear_error(string body, string expected)
    {
        var error = Assert.Throws<WebhookFormatException>(() => DistributionNotification.Parse("local", body, Now));
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [TestCase("Team/App", "sha256:" + "ab")]
    [TestCase("../etc", null)]
    [TestCase("team/app", "sha256:XYZ")]
    [TestCase("team/app", "md5:0123")]
    public void Invalid_repository_names_and_digests_are_rejected(string repository, string? digest)
    {
        var body = PushOf(repository, digest ?? Digest('b'), "application/vnd.docker.distribution.manifest.v2+json");
        Assert.Throws<WebhookFormatException>(() => DistributionNotification.Parse("local", body, Now));
    }

    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static string PushOf(string repository, string digest, string mediaType) => JsonSerializer.Serialize(new
    {
        events = new[] { new { id = Guid.NewGuid().ToString(), action = "push", target = new { mediaType, digest, repository, tag = "v1" } } },
    });
}
