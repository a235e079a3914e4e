using ImageScanning.Contracts;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>Create, read, update and delete through Findings' request consumers, as the Gateway calls them.</summary>
[NonParallelizable]
public sealed class SubscriptionManagementTests
{
    private string _directory = "";
    private FindingsHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("subscription-api-").FullName;
        _host = await FindingsHost.StartAsync(_directory);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<SubscriptionResult> CreateAsync(string url, string pattern) =>
        _host.RequestAsync<CreateSubscription, SubscriptionResult>(new CreateSubscription(new SubscriptionDefinition(url, pattern, false, null)));

    [TestCase("ftp://hooks.example.test/x", """{"source":["aws.ecr"]}""", "http:// or https://")]
    [TestCase("/relative", """{"source":["aws.ecr"]}""", "absolute")]
    [TestCase("https://user:pass@hooks.example.test/x", """{"source":["aws.ecr"]}""", "credentials")]
    [TestCase("https://hooks.example.test/x", """{"source":"aws.ecr"}""", "eventPattern: $.source must be an array")]
    [TestCase("https://hooks.example.test/x", """{"detail":{"n":[{"numeric":["<",1,">",5]}]}}""", "eventPattern: $.detail.n[0]")]
    public async Task A_bad_definition_is_refused_with_a_clear_message_and_nothing_is_stored(string url, string pattern, string expected)
    {
        var result = await CreateAsync(url, pattern);

        Assert.That(result.Error, Does.Contain(expected));
        Assert.That(result.Secret, Is.Null);
        var listed = await _host.RequestAsync<ListSubscriptions, SubscriptionListResult>(new ListSubscriptions());
        Assert.That(listed.Subscriptions, Is.Empty);
    }

    [Test]
    public async Task The_secret_is_returned_once_and_the_subscription_can_be_read_updated_and_deleted()
    {
        var created = await CreateAsync("https://hooks.example.test/x", """{"source":["aws.ecr"]}""");
        var id = created.Subscription!.Id;

        var fetched = await _host.RequestAsync<GetSubscription, SubscriptionResult>(new GetSubscription(id));
        var updated = await _host.RequestAsync<UpdateSubscription, SubscriptionResult>(new UpdateSubscription(id,
            new SubscriptionDefinition("http://127.0.0.1:8081/hook", """{"source":["aws.inspector2"]}""", true, "security")));
        var refused = await _host.RequestAsync<UpdateSubscription, SubscriptionResult>(new UpdateSubscription(id,
            new SubscriptionDefinition("gopher://x", """{"source":["aws.inspector2"]}""", true, null)));
        var stored = await _host.Store.GetSubscriptionAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(created.Secret, Does.Match("^whsec_[0-9a-f]{64}$"));
            Assert.That(fetched.Secret, Is.Null, "the secret is shown only at creation");
            Assert.That(fetched.Subscription, Is.EqualTo(created.Subscription));
            Assert.That(updated.Subscription!.TargetUrl, Is.EqualTo("http://127.0.0.1:8081/hook"));
            Assert.That(updated.Subscription.CloudEvents, Is.True);
            Assert.That(updated.Secret, Is.Null);
            Assert.That(refused.Error, Does.Contain("http:// or https://"));
            Assert.That(stored!.TargetUrl, Is.EqualTo("http://127.0.0.1:8081/hook"), "a refused update changes nothing");
            Assert.That(stored.Secret, Is.EqualTo(created.Secret), "updates keep the secret");
        });

        var deleted = await _host.RequestAsync<DeleteSubscription, SubscriptionResult>(new DeleteSubscription(id));
        var again = await _host.RequestAsync<DeleteSubscription, SubscriptionResult>(new DeleteSubscription(id));
        var gone = await _host.RequestAsync<GetSubscription, SubscriptionResult>(new GetSubscription(id));
        Assert.That((deleted.Found, again.Found, gone.Found), Is.EqualTo((true, false, false)));
    }
}
