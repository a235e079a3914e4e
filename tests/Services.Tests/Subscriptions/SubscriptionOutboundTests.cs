using System.Text;
using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Delivery;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// Webhook targets cannot point the platform at itself or its network (https only, special addresses refused when saved and
/// again at connect time, dead letters that say no more than "refused"), and their secrets are encrypted in the store.
/// </summary>
[NonParallelizable]
public sealed class SubscriptionOutboundTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const string Pattern = """{"source":["aws.ecr"]}""";
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("subscription-outbound-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Plain http allowed, so what is refused is the address; no allow-list.</summary>
    private static Dictionary<string, string?> HttpWithoutAllowList => new(FindingsHost.FastRetries) { ["Subscriptions:AllowHttp"] = "true" };

    private static Task<SubscriptionResult> CreateAsync(FindingsHost host, string url) =>
        host.RequestAsync<CreateSubscription, SubscriptionResult>(new CreateSubscription(new SubscriptionDefinition(url, Pattern, false, null)));

    [TestCase("http://127.0.0.1:8080/hook", "address 127.0.0.1 is loopback")]
    [TestCase("http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is link-local")]
    [TestCase("http://[::ffff:127.0.0.1]:8080/hook", "address 127.0.0.1 is loopback")]
    [TestCase("http://[::1]:8080/hook", "address ::1 is loopback")]
    [TestCase("http://localhost:8080/hook", "is loopback (localhost resolves to it)")]
    [TestCase("https://10.1.2.3/hook", "address 10.1.2.3 is private")]
    [TestCase("https://100.64.0.7/hook", "address 100.64.0.7 is shared address space")]
    public async Task A_target_on_a_special_address_is_refused_when_created_and_when_updated(string url, string reason)
    {
        await using var host = await FindingsHost.StartAsync(_directory, HttpWithoutAllowList, allowLocalReceivers: false);

        var created = await CreateAsync(host, url);
        var existing = await CreateAsync(host, "https://hooks.example.test/x");
        var updated = await host.RequestAsync<UpdateSubscription, SubscriptionResult>(
            new UpdateSubscription(existing.Subscription!.Id, new SubscriptionDefinition(url, Pattern, false, null)));

        Assert.That(created.Error, Does.StartWith("targetUrl refused: ").And.Contain(reason).And.Contain("Outbound:AllowList"));
        Assert.That(created.Subscription, Is.Null);
        Assert.That(updated.Error, Does.Contain(reason));
        Assert.That((await host.Store.GetSubscriptionAsync(existing.Subscription.Id))!.TargetUrl, Is.EqualTo("https://hooks.example.test/x"));
    }

    [Test]
    public async Task Https_is_required_unless_AllowHttp_is_on()
    {
        await using var host = await FindingsHost.StartAsync(_directory, allowLocalReceivers: false);

        var plain = await CreateAsync(host, "http://hooks.example.test/x");
        var secure = await CreateAsync(host, "https://hooks.example.test/x");

        Assert.That(plain.Error, Does.Contain("must be https://").And.Contain("Subscriptions:AllowHttp"));
        Assert.That(secure.Error, Is.Null);
    }

    [Test]
    public async Task The_allow_list_lets_a_loopback_receiver_be_reached()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await FindingsHost.StartAsync(_directory, new Dictionary<string, string?>(HttpWithoutAllowList)
        {
            ["Outbound:AllowList:0"] = "127.0.0.0/8",
        }, allowLocalReceivers: false);
        await host.SubscribeAsync(receiver.Url, Pattern);

        await host.Bus.Publish(SampleEvents.Scan("prod/api"));

        Assert.That(await receiver.WaitForAcceptedAsync(1, Timeout), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_name_that_resolves_to_loopback_at_delivery_is_refused_without_a_connection_and_dead_lettered_with_only_the_reason()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await FindingsHost.StartAsync(_directory, HttpWithoutAllowList, allowLocalReceivers: false);
        // Saved as if its name had resolved to a public address when it was created: the dispatcher must check again.
        var target = $"http://localhost:{receiver.Url.Port}/hook";
        var subscription = new Subscription(Guid.NewGuid(), target, Pattern, false, null, "whsec_test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        await host.Store.SaveSubscriptionAsync(subscription);

        await host.Bus.Publish(SampleEvents.Scan("prod/api"));
        var deadline = DateTime.UtcNow + Timeout;
        DeadLettersResult deadLetters;
        do
        {
            await Task.Delay(100);
            deadLetters = await host.RequestAsync<ListDeadLetters, DeadLettersResult>(new ListDeadLetters(subscription.Id));
        } while (deadLetters.DeadLetters.Count == 0 && DateTime.UtcNow < deadline);

        var deadLetter = deadLetters.DeadLetters.Single();
        Assert.Multiple(() =>
        {
            Assert.That(deadLetter.LastError, Does.Match(@"^refused: address (127\.0\.0\.1|::1) is loopback \(localhost resolves to it\); only Outbound:AllowList"));
            Assert.That(deadLetter.LastError, Does.Not.Contain(receiver.Url.Port.ToString()), "nothing about the port or what answers there");
            Assert.That(deadLetter.Attempts, Is.EqualTo(1), "a refusal is not retried");
            Assert.That(receiver.Requests, Is.Empty, "no connection was made");
        });
    }

    [Test]
    public async Task The_sqlite_file_holds_no_plaintext_secret_and_the_secret_still_signs()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        string secret;
        Guid id;
        await using (var host = await FindingsHost.StartAsync(_directory))
        {
            var created = await host.SubscribeAsync(receiver.Url, Pattern);
            (secret, id) = (created.Secret!, created.Subscription!.Id);
            Assert.That((await host.Store.GetSubscriptionAsync(id))!.Secret, Is.EqualTo(secret), "the store reads it decrypted");
        }
        SqliteConnection.ClearAllPools();

        var files = Directory.GetFiles(_directory, "findings.db*");
        Assert.That(files, Is.Not.Empty);
        foreach (var file in files)
            Assert.That(Encoding.ASCII.GetString(File.ReadAllBytes(file)), Does.Not.Contain(secret).And.Not.Contain(secret["whsec_".Length..]), file);
        Assert.That(StoredSecret(id), Does.StartWith(SubscriptionSecretProtector.Prefix));
        Assert.That(Directory.GetFiles(Path.Combine(_directory, "findings-keys"), "key-*.xml"), Is.Not.Empty, "the key ring beside the SQLite file");

        await using var restarted = await FindingsHost.StartAsync(_directory);
        await restarted.Bus.Publish(SampleEvents.Scan("prod/api"));
        var received = (await receiver.WaitForAcceptedAsync(1, Timeout))[0];
        Assert.That(WebhookSignature.Verify(secret, received.Body, received.Header(WebhookSignature.HeaderName)), Is.True, "signed with the decrypted secret after a restart");
    }

    [Test]
    public async Task A_secret_stored_in_plain_text_before_is_still_used_and_encrypted_at_start()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using (await FindingsHost.StartAsync(_directory)) { } // creates the schema
        SqliteConnection.ClearAllPools();
        var id = Guid.NewGuid();
        const string legacy = "whsec_stored_before_encryption_0123456789";
        using (var connection = Open())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO subscriptions (id, target_url, event_pattern, cloud_events, description, secret, created_at, updated_at)
                VALUES ($id, $url, $pattern, 0, NULL, $secret, 0, 0)
                """;
            insert.Parameters.AddWithValue("$id", id.ToString());
            insert.Parameters.AddWithValue("$url", receiver.Url.ToString());
            insert.Parameters.AddWithValue("$pattern", Pattern);
            insert.Parameters.AddWithValue("$secret", legacy);
            insert.ExecuteNonQuery();
        }

        await using var host = await FindingsHost.StartAsync(_directory);
        Assert.That(StoredSecret(id), Does.StartWith(SubscriptionSecretProtector.Prefix), "encrypted at start-up");
        Assert.That((await host.Store.GetSubscriptionAsync(id))!.Secret, Is.EqualTo(legacy));
        await host.Bus.Publish(SampleEvents.Scan("prod/api"));
        var received = (await receiver.WaitForAcceptedAsync(1, Timeout))[0];
        Assert.That(WebhookSignature.Verify(legacy, received.Body, received.Header(WebhookSignature.HeaderName)), Is.True);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "findings.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private string StoredSecret(Guid id)
    {
        using var connection = Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT secret FROM subscriptions WHERE id = $id";
        select.Parameters.AddWithValue("$id", id.ToString());
        return (string)select.ExecuteScalar()!;
    }
}
