using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using MassTransit.UsageTracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Messaging;

/// <summary>
/// The platform's bus (AddMessaging, which every service uses) leaves MassTransit's usage telemetry off: its tracker, which alone
/// posts to MassTransit's usage host, is disabled. The second test shows the same check sees it on where nobody turned it off.
/// </summary>
[NonParallelizable] // the override variable is process-wide
public sealed class UsageTelemetryTests
{
    private const string OverrideVariable = "MASSTRANSIT_USAGE_TELEMETRY";
    private string? _override;

    // An operator's MASSTRANSIT_USAGE_TELEMETRY overrides the configured option either way: the tests run without it.
    [SetUp]
    public void WithoutOverride()
    {
        _override = Environment.GetEnvironmentVariable(OverrideVariable);
        Environment.SetEnvironmentVariable(OverrideVariable, null);
    }

    [TearDown]
    public void RestoreOverride() => Environment.SetEnvironmentVariable(OverrideVariable, _override);

    [Test]
    public void The_platform_bus_reports_no_usage_telemetry()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddMessaging(_ => { });
        using var host = builder.Build();

        Assert.Multiple(() =>
        {
            Assert.That(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled, Is.False, "the configured option");
            Assert.That(host.Services.GetRequiredService<IUsageTracker>(), Is.TypeOf<UsageTracker>().With.Property(nameof(UsageTracker.Enabled)).False,
                "the tracker that would report it");
        });
    }

    [Test]
    public void A_bus_nobody_configured_would_report_it()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMassTransit(x => x.UsingInMemory());
        using var host = builder.Build();

        Assert.That(host.Services.GetRequiredService<IUsageTracker>(), Is.TypeOf<UsageTracker>().With.Property(nameof(UsageTracker.Enabled)).True);
    }
}
