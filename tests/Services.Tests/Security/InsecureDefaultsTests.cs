using ImageScanning.Gateway.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace ImageScanning.Services.Tests.Security;

/// <summary>
/// The distributed mode refuses to start with docker-compose.yml's change-me-* placeholders or RabbitMQ's guest account, and
/// says which settings; the standalone mode and an explicit test opt-out start. The Gateway is composed as its Program.cs does.
/// </summary>
public sealed class InsecureDefaultsTests
{
    private static WebApplicationBuilder Gateway(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "insecure-defaults-" + Guid.NewGuid().ToString("N")),
            ["Registries:0:Name"] = "local",
        }.Concat(settings));
        builder.AddServiceDefaults("gateway");
        builder.AddGateway();
        return builder;
    }

    private static Dictionary<string, string?> Distributed(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMQ",
            ["Messaging:RabbitMqUsername"] = "gateway",
            ["Messaging:RabbitMqPassword"] = "a-real-broker-password",
            ["Security:Tokens:0:Token"] = "a-real-api-token",
            ["Security:Tokens:0:Scopes:0"] = "read",
        };
        foreach (var (key, value) in more)
            if (value is null) settings.Remove(key);
            else settings[key] = value;
        return settings;
    }

    [Test]
    public void A_change_me_secret_in_distributed_mode_stops_the_start_naming_each_setting()
    {
        var builder = Gateway(Distributed(
            ("Registries:0:WebhookToken", "change-me-webhook-token"), ("Security:ApiTokens:0", "change-me-api-token")));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging(_ => { }))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith("Refusing to start in distributed mode (Messaging:Transport=RabbitMQ)"));
            Assert.That(error.Message, Does.Contain("Registries:0:WebhookToken is a 'change-me' placeholder"));
            Assert.That(error.Message, Does.Contain("Security:ApiTokens:0 is a 'change-me' placeholder"));
            Assert.That(error.Message, Does.Not.Contain("change-me-api-token"), "the message names settings, never their values");
            Assert.That(error.Message, Does.Contain(InsecureDefaults.OptOutKey));
        });
    }

    [Test]
    public void The_broker_guest_account_in_distributed_mode_stops_the_start()
    {
        // Messaging:RabbitMqUsername and Password unset: the defaults are RabbitMQ's guest/guest.
        var builder = Gateway(Distributed(("Messaging:RabbitMqUsername", null), ("Messaging:RabbitMqPassword", null)));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging(_ => { }))!;
        Assert.That(error.Message, Does.Contain("Messaging:RabbitMqUsername is the broker's 'guest' account")
            .And.Contain("Messaging:RabbitMqPassword is the 'guest' account's password"));
    }

    [Test]
    public void Real_secrets_the_standalone_mode_and_the_test_opt_out_start()
    {
        Assert.Multiple(() =>
        {
            Assert.DoesNotThrow(() => Gateway(Distributed()).AddMessaging(_ => { }), "real secrets");
            Assert.DoesNotThrow(() => Gateway(new() { ["Messaging:Transport"] = "InMemory", ["Security:ApiTokens:0"] = "change-me-api-token" })
                .AddMessaging(_ => { }), "standalone: in-memory bus, not checked");
            Assert.DoesNotThrow(() => Gateway(Distributed(("Messaging:RabbitMqUsername", null), ("Messaging:RabbitMqPassword", null),
                    ("Security:ApiTokens:0", "change-me-api-token"), (InsecureDefaults.OptOutKey, "true")))
                .AddMessaging(_ => { }), "the tests' opt-out");
        });
    }

    [Test]
    public void An_unknown_scope_stops_the_start_naming_the_token_and_the_scope()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Gateway(new() { ["Security:Tokens:0:Name"] = "ci", ["Security:Tokens:0:Token"] = "t", ["Security:Tokens:0:Scopes:0"] = "everything" }))!;
        Assert.That(error.Message, Does.Contain("token 'ci' has the unknown scope 'everything'"));
    }
}
