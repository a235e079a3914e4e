using ImageScanning.Contracts;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Every behaviour of <see cref="ImageScanning.ScanRouter.Data.IScanningConfigurationStore"/>, on SQLite and on MongoDB.</summary>
[TestFixture(StoreBackend.Sqlite)]
[TestFixture(StoreBackend.MongoDB)]
public sealed class ScanningConfigurationStoreContract(StoreBackend backend) : ScanRouterStoreFixture(backend)
{
    [Test]
    public async Task Configuration_defaults_to_basic_without_rules()
    {
        var config = await Configuration.GetConfigurationAsync("unknown-registry");
        Assert.That(config.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(config.Rules, Is.Empty);
    }

    [Test]
    public async Task Configuration_round_trips_and_is_per_registry()
    {
        var config = new RegistryScanningConfiguration(ScanType.ENHANCED,
        [
            new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new("prod*", RepositoryFilterType.WILDCARD), new("team/*", RepositoryFilterType.WILDCARD)]),
            new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new("*", RepositoryFilterType.WILDCARD)]),
        ]);
        await Configuration.PutConfigurationAsync(Registry, config);

        var stored = await Configuration.GetConfigurationAsync(Registry);
        Assert.That(stored.ScanType, Is.EqualTo(ScanType.ENHANCED));
        Assert.That(stored.Rules, Has.Count.EqualTo(2));
        Assert.That(stored.Rules[0].ScanFrequency, Is.EqualTo(ScanFrequency.CONTINUOUS_SCAN));
        Assert.That(stored.Rules[0].RepositoryFilters, Is.EqualTo(config.Rules[0].RepositoryFilters));
        Assert.That(stored.Rules[1].ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
        Assert.That(stored.Rules[1].RepositoryFilters, Is.EqualTo(config.Rules[1].RepositoryFilters));

        Assert.That((await Configuration.GetConfigurationAsync("other-registry")).ScanType, Is.EqualTo(ScanType.BASIC));
    }

    [Test]
    public async Task Configuration_put_replaces_the_previous_one()
    {
        await Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new("prod", RepositoryFilterType.WILDCARD)])]));
        await Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.BASIC, []));

        var stored = await Configuration.GetConfigurationAsync(Registry);
        Assert.That(stored.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(stored.Rules, Is.Empty);
    }

    [Test]
    public async Task Configuration_rule_without_filters_round_trips()
    {
        await Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED, [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [])]));
        var stored = await Configuration.GetConfigurationAsync(Registry);
        Assert.That(stored.Rules, Has.Count.EqualTo(1));
        Assert.That(stored.Rules[0].RepositoryFilters, Is.Empty);
    }

    [Test]
    public async Task Configured_registries_are_listed_in_ordinal_order()
    {
        await Configuration.PutConfigurationAsync("b-registry", new RegistryScanningConfiguration(ScanType.ENHANCED, []));
        await Configuration.PutConfigurationAsync("A-registry", new RegistryScanningConfiguration(ScanType.BASIC, []));

        Assert.That(await Configuration.ListConfiguredRegistriesAsync(), Is.EqualTo(new[] { "A-registry", "b-registry" }));
    }

    [Test]
    public async Task Rescan_configuration_defaults_to_fourteen_days_and_round_trips_per_registry()
    {
        var initial = await Configuration.GetRescanConfigurationAsync(Registry);
        Assert.That(initial.Configuration, Is.EqualTo(new EcrRescanConfiguration(EcrRescanDuration.DAYS_14)));
        Assert.That(initial.UpdatedAt, Is.Null);

        var configuration = new EcrRescanConfiguration(EcrRescanDuration.LIFETIME, EcrPullDateRescanDuration.DAYS_30, EcrPullDateRescanMode.LAST_PULL_DATE);
        await Configuration.PutRescanConfigurationAsync(Registry, configuration, T0);
        await Configuration.PutRescanConfigurationAsync("other", new EcrRescanConfiguration(EcrRescanDuration.DAYS_3), T0);

        var stored = await Configuration.GetRescanConfigurationAsync(Registry);
        Assert.That(stored.Configuration, Is.EqualTo(configuration));
        Assert.That(stored.UpdatedAt, Is.EqualTo(T0));
        Assert.That((await Configuration.GetRescanConfigurationAsync("other")).Configuration.RescanDuration, Is.EqualTo(EcrRescanDuration.DAYS_3));

        await Configuration.PutRescanConfigurationAsync(Registry, new EcrRescanConfiguration(EcrRescanDuration.DAYS_7), T0.AddHours(1));
        var replaced = await Configuration.GetRescanConfigurationAsync(Registry);
        Assert.That(replaced.Configuration, Is.EqualTo(new EcrRescanConfiguration(EcrRescanDuration.DAYS_7)), "a put replaces, optional members included");
    }

    [Test]
    public async Task Legacy_scan_on_push_is_false_until_set_and_the_last_write_wins()
    {
        Assert.That(await Configuration.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.False);
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "team/app", true);
        Assert.That(await Configuration.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.True);
        Assert.That(await Configuration.GetRepositoryScanOnPushAsync("other-registry", "team/app"), Is.False, "per registry");
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "team/app", false);
        Assert.That(await Configuration.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.False);
    }

    [Test]
    public async Task Scan_on_push_repositories_are_those_set_on_whether_catalogued_or_not()
    {
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "web", true);
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "off", true);
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "off", false);
        await Configuration.SetRepositoryScanOnPushAsync("other-registry", "api", true);

        Assert.That(await Configuration.ListScanOnPushRepositoriesAsync(Registry), Is.EquivalentTo(new[] { "web" }));
    }

    [Test]
    public async Task Repository_settings_are_keyed_by_registry_and_repository_not_by_their_joined_name()
    {
        // "a/b" + "c" and "a" + "b/c" join to the same "a/b/c": two settings all the same.
        await Configuration.SetRepositoryScanOnPushAsync("a/b", "c", true);
        await Configuration.SetRepositoryScanOnPushAsync("a", "b/c", false);

        Assert.Multiple(async () =>
        {
            Assert.That(await Configuration.GetRepositoryScanOnPushAsync("a/b", "c"), Is.True);
            Assert.That(await Configuration.GetRepositoryScanOnPushAsync("a", "b/c"), Is.False);
            Assert.That(await Configuration.ListScanOnPushRepositoriesAsync("a/b"), Is.EquivalentTo(new[] { "c" }));
            Assert.That(await Configuration.ListScanOnPushRepositoriesAsync("a"), Is.Empty);
        });
    }

    [Test]
    public async Task A_registry_with_ten_thousand_repository_settings_lists_them_all()
    {
        const int repositories = 10_000;
        await using (var work = await Database.BeginAsync())
        {
            var store = Configuration.In(work);
            for (var i = 0; i < repositories; i++) await store.SetRepositoryScanOnPushAsync(Registry, $"team-{i % 100}/service-{i:D5}", i % 10 != 0);
            await work.CommitAsync(CancellationToken.None);
        }

        var on = await Configuration.ListScanOnPushRepositoriesAsync(Registry);
        Assert.That(on, Has.Count.EqualTo(repositories - repositories / 10));
        Assert.That(on, Does.Contain("team-1/service-00001").And.Not.Contain("team-0/service-00000"));
    }

    [Test]
    public async Task Parallel_first_settings_of_one_repository_from_two_instances_keep_one_setting()
    {
        var second = (await OpenSecondInstanceAsync()).Configuration;
        var stores = new[] { Configuration, second };
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].SetRepositoryScanOnPushAsync(Registry, "app", true))));

        Assert.That(await second.ListScanOnPushRepositoriesAsync(Registry), Is.EquivalentTo(new[] { "app" }));
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "app", false);
        Assert.That(await second.GetRepositoryScanOnPushAsync(Registry, "app"), Is.False, "one document: the later write is the one read");
    }
}
