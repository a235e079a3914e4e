using ImageScanning.ServiceDefaults.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.AwsWire;

/// <summary>The one AWS identity: configured once (Aws), validated at start, and the settings it replaced refused by name.</summary>
public sealed class AwsAccountSettingsTests
{
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        return builder;
    }

    [TestCase("Ecr:AccountId", "Aws:AccountId")]
    [TestCase("Ecr:AccessKeys:0:AccessKeyId", "Aws:AccessKeys")]
    [TestCase("EventBridge:Account", "Aws:AccountId")]
    [TestCase("EventBridge:Region", "Aws:Region")]
    public void A_setting_that_moved_is_refused_naming_its_new_key(string old, string replacement)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Builder((old, "123456789012")).AddAwsAccount())!;
        Assert.That(error.Message, Does.Contain(replacement).And.Contain(old.Split(':')[0] + ":"));
    }

    [TestCase("Aws:AccountId", "12345", "Aws:AccountId must be 12 digits")]
    [TestCase("Aws:Region", "local", "Aws:Region must be a region name")]
    [TestCase("Aws:Registries:0:RegistryId", "mirror-id", "registry id 'mirror-id'")]
    public void An_invalid_identity_fails_validation_with_what_is_wrong(string key, string value, string message)
    {
        var builder = Builder((key, value), ("Aws:Registries:0:Registry", "mirror"));
        builder.AddAwsAccount();
        using var services = builder.Services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<AwsOptions>>().Value)!;
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void Every_arn_carries_the_configured_account_and_region()
    {
        var builder = Builder(("Aws:AccountId", "123456789012"), ("Aws:Region", "us-west-2"),
            ("Aws:Registries:0:RegistryId", "210987654321"), ("Aws:Registries:0:Registry", "mirror"));
        builder.AddAwsAccount();
        builder.AddAwsAccount(); // each service that needs it may ask again
        using var services = builder.Services.BuildServiceProvider();
        var account = services.GetRequiredService<AwsAccount>();
        Assert.Multiple(() =>
        {
            Assert.That(services.GetServices<AwsAccount>().Count(), Is.EqualTo(1));
            Assert.That(account.FindingArn("0123456789abcdef0123456789abcdef"),
                Is.EqualTo("arn:aws:inspector2:us-west-2:123456789012:finding/0123456789abcdef0123456789abcdef"));
            Assert.That(account.RepositoryArn("local", "scanrepo-prod"), Is.EqualTo("arn:aws:ecr:us-west-2:123456789012:repository/scanrepo-prod"));
            Assert.That(account.RepositoryArn("mirror", "library/debian"), Is.EqualTo("arn:aws:ecr:us-west-2:210987654321:repository/library/debian"));
            Assert.That(account.FilterArn("f1"), Is.EqualTo("arn:aws:inspector2:us-west-2:123456789012:owner/123456789012/filter/f1"));
        });
    }
}
