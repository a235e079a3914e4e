using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>
/// The behaviour every <see cref="IAdvisoryStore"/> must have. Each concrete fixture supplies a fresh,
/// empty store per test.
/// </summary>
public abstract class AdvisoryStoreContract
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; private set; } = null!;
    protected IAdvisoryStore Store { get; private set; } = null!;

    protected abstract Task<IAdvisoryStore> CreateStoreAsync(TimeProvider clock);

    protected virtual Task DestroyStoreAsync() => Task.CompletedTask;

    [SetUp]
    public async Task CreateStore()
    {
        Clock = new ManualTimeProvider(Start);
        Store = await CreateStoreAsync(Clock);
    }

    [TearDown]
    public Task DestroyStore() => DestroyStoreAsync();

    private static (OsvAdvisory, string) Record(string folder, string id)
    {
        var raw = OsvCorpus.Raw(folder, id);
        return (OsvParser.Parse(raw), raw);
    }

    private Task<AdvisoryUpsertResult> Upsert(string raw) => Store.UpsertAsync(OsvParser.Parse(raw), raw);

    private static string Edit(string raw, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(raw)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    [Test]
    public async Task An_empty_store()
    {
        Assert.That(await Store.CountAsync(), Is.Zero);
        Assert.That(await Store.LastChangedAsync(), Is.Null);
        Assert.That(await Store.GetAsync("DLA-3008-1"), Is.Null);
        Assert.That(await Store.FindByPackageAsync("Debian:9", "openssl"), Is.Empty);
    }

    [Test]
    public async Task A_new_advisory_is_stored_and_read_back()
    {
        var (advisory, raw) = Record("debian", "DLA-3008-1");
        var result = await Store.UpsertAsync(advisory, raw);

        Assert.That(result, Is.EqualTo(new AdvisoryUpsertResult("DLA-3008-1", AdvisoryChange.New, false)));
        Assert.That(result.AffectedDataChanged, Is.True);
        Assert.That(await Store.CountAsync(), Is.EqualTo(1));
        Assert.That(await Store.LastChangedAsync(), Is.EqualTo(Start));

        var stored = await Store.GetAsync("DLA-3008-1");
        Assert.That(stored, Is.Not.Null);
        Assert.That(stored!.Aliases, Is.EqualTo(advisory.Aliases));
        Assert.That(stored.Affected[0].Versions, Is.EqualTo(advisory.Affected[0].Versions));
        Assert.That(stored.Affected[0].Ranges[0].Events, Is.EqualTo(advisory.Affected[0].Ranges[0].Events));
    }

    [Test]
    public async Task The_same_record_again_is_Unchanged_and_does_not_move_LastChanged()
    {
        var (advisory, raw) = Record("ghsa", "GHSA-jfh8-c2jp-5v3q");
        await Store.UpsertAsync(advisory, raw);
        Clock.Advance(TimeSpan.FromHours(1));

        var again = await Store.UpsertAsync(advisory, raw);
        Assert.That(again.Change, Is.EqualTo(AdvisoryChange.Unchanged));
        Assert.That(again.AffectedDataChanged, Is.False);
        Assert.That(await Store.LastChangedAsync(), Is.EqualTo(Start));
        Assert.That(await Store.CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Formatting_and_key_order_do_not_count_as_a_change()
    {
        var (_, raw) = Record("ghsa", "GHSA-jfh8-c2jp-5v3q");
        await Upsert(raw);
        var node = JsonNode.Parse(raw)!.AsObject();
        var reordered = new JsonObject(node.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var result = await Upsert(reordered.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        Assert.That(result.Change, Is.EqualTo(AdvisoryChange.Unchanged));
    }

    [Test]
    public async Task A_metadata_change_is_stored_but_reported_as_MetadataChanged()
    {
        var (_, raw) = Record("debian", "DLA-3008-1");
        await Upsert(raw);
        Clock.Advance(TimeSpan.FromMinutes(5));

        var edited = Edit(raw, o =>
        {
            o["summary"] = "openssl - security update (revised)";
            o["modified"] = "2026-04-01T00:00:00Z";
        });
        var result = await Upsert(edited);

        Assert.That(result.Change, Is.EqualTo(AdvisoryChange.MetadataChanged));
        Assert.That(result.AffectedDataChanged, Is.False);
        Assert.That((await Store.GetAsync("DLA-3008-1"))!.Summary, Is.EqualTo("openssl - security update (revised)"));
        Assert.That(await Store.LastChangedAsync(), Is.EqualTo(Start.AddMinutes(5)));
        Assert.That((await Store.FindByPackageAsync("Debian:9", "openssl")).Select(a => a.Id), Is.EqualTo(new[] { "DLA-3008-1" }));
    }

    [Test]
    public async Task A_changed_fixed_version_is_Changed()
    {
        var (_, raw) = Record("debian", "DLA-3008-1");
        await Upsert(raw);
        var edited = Edit(raw, o => o["affected"]![0]!["ranges"]![0]!["events"]![1]!["fixed"] = "1.1.0l-1~deb9u7");
        Assert.That((await Upsert(edited)).Change, Is.EqualTo(AdvisoryChange.Changed));
        Assert.That((await Store.GetAsync("DLA-3008-1"))!.Affected[0].Ranges[0].Events[1], Is.EqualTo(OsvEvent.Fixed("1.1.0l-1~deb9u7")));
    }

    [Test]
    public async Task A_changed_versions_list_is_Changed_but_its_order_is_not()
    {
        var (_, raw) = Record("debian", "DLA-3008-1");
        await Upsert(raw);

        var reversed = Edit(raw, o =>
        {
            var versions = o["affected"]![0]!["versions"]!.AsArray();
            o["affected"]![0]!["versions"] = new JsonArray(versions.Reverse().Select(v => v!.DeepClone()).ToArray());
        });
        Assert.That((await Upsert(reversed)).Change, Is.EqualTo(AdvisoryChange.MetadataChanged), "order is not affected data");

        var added = Edit(raw, o => o["affected"]![0]!["versions"]!.AsArray().Add("1.1.0l-1~deb9u5+extra"));
        Assert.That((await Upsert(added)).Change, Is.EqualTo(AdvisoryChange.Changed));
    }

    [Test]
    public async Task A_renamed_package_moves_the_index()
    {
        var (_, raw) = Record("debian", "DSA-3029-1");
        await Upsert(raw);
        var renamed = Edit(raw, o => o["affected"]![0]!["package"]!["name"] = "nginx-full");

        Assert.That((await Upsert(renamed)).Change, Is.EqualTo(AdvisoryChange.Changed));
        Assert.That(await Store.FindByPackageAsync("Debian:7", "nginx"), Is.Empty);
        Assert.That((await Store.FindByPackageAsync("Debian:7", "nginx-full")).Single().Id, Is.EqualTo("DSA-3029-1"));
    }

    [Test]
    public async Task Withdrawing_is_a_change_and_the_record_stays_findable_marked_withdrawn()
    {
        var (_, raw) = Record("debian", "DSA-3029-1");
        await Upsert(raw);
        var result = await Upsert(Edit(raw, o => o["withdrawn"] = "2026-02-01T00:00:00Z"));

        Assert.That(result, Is.EqualTo(new AdvisoryUpsertResult("DSA-3029-1", AdvisoryChange.Changed, true)));
        var found = await Store.FindByPackageAsync("Debian:7", "nginx");
        Assert.That(found.Single().IsWithdrawn, Is.True);
    }

    [Test]
    public async Task Package_lookups_are_exact_on_ecosystem_and_name()
    {
        await Store.UpsertManyAsync([Record("debian", "DLA-3008-1"), Record("debian", "DSA-5474-1"), Record("debian", "DSA-3029-1")]);

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.FindByPackageAsync("Debian:9", "openssl")).Select(a => a.Id), Is.EqualTo(new[] { "DLA-3008-1" }));
            Assert.That(await Store.FindByPackageAsync("Debian:10", "openssl"), Is.Empty);
            Assert.That(await Store.FindByPackageAsync("Debian", "openssl"), Is.Empty);
            Assert.That(await Store.FindByPackageAsync("Debian:9", "OpenSSL"), Is.Empty);
            Assert.That(await Store.FindByPackageAsync("Debian:9", "openss"), Is.Empty);
            Assert.That(await Store.FindByPackageAsync("Debian:9", "openssl%"), Is.Empty);
            Assert.That((await Store.FindByPackageAsync("Debian:11", "intel-microcode")).Select(a => a.Id), Is.EqualTo(new[] { "DSA-5474-1" }));
            Assert.That((await Store.FindByPackageAsync("Debian:12", "intel-microcode")).Select(a => a.Id), Is.EqualTo(new[] { "DSA-5474-1" }));
        });
    }

    [Test]
    public async Task Results_are_ordered_by_id()
    {
        // Stored out of order on purpose; three name log4j-core, GHSA-2qrg-x229-3v8q is about log4j 1.x.
        await Store.UpsertManyAsync([
            Record("ghsa", "GHSA-jfh8-c2jp-5v3q"), Record("ghsa", "GHSA-7rjr-3q55-vv33"),
            Record(Path.Combine("osvdev-served", "Maven"), "GHSA-3pxv-7cmr-fjr4"), Record("ghsa-osvdev", "GHSA-2qrg-x229-3v8q")]);
        var found = await Store.FindByPackageAsync("Maven", "org.apache.logging.log4j:log4j-core");
        Assert.That(found.Select(a => a.Id),
            Is.EqualTo(new[] { "GHSA-3pxv-7cmr-fjr4", "GHSA-7rjr-3q55-vv33", "GHSA-jfh8-c2jp-5v3q" }));
        Assert.That((await Store.FindByPackageAsync("Maven", "log4j:log4j")).Select(a => a.Id), Is.EqualTo(new[] { "GHSA-2qrg-x229-3v8q" }));
    }

    [Test]
    public async Task Case_insensitive_ecosystems_are_looked_up_by_canonical_name()
    {
        var (pyyaml, rawPyyaml) = Record("ghsa", "GHSA-8q59-q68h-6hv4");
        Assert.That(pyyaml.Affected.Select(a => a.Package!.Name), Does.Contain("PyYAML"), "the record names PyYAML");
        await Store.UpsertAsync(pyyaml, rawPyyaml);

        Assert.That((await Store.FindByPackageAsync("PyPI", "pyyaml")).Select(a => a.Id), Is.EqualTo(new[] { pyyaml.Id }));
        Assert.That((await Store.FindByPackageAsync("PyPI", "PyYAML")).Select(a => a.Id), Is.EqualTo(new[] { pyyaml.Id }));
        Assert.That(await Store.FindByPackageAsync("pypi", "pyyaml"), Is.Empty, "ecosystems are exact");
    }

    [Test]
    public async Task An_ecosystem_with_a_slash_is_matched_exactly()
    {
        var raw = """
            {"id": "DRUPAL-TEST-1", "affected": [
              {"package": {"ecosystem": "Packagist:https://packages.drupal.org/8", "name": "drupal/core"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "10.0.1"}]}]}]}
            """;
        var decoy = """
            {"id": "DRUPAL-TEST-2", "affected": [
              {"package": {"ecosystem": "Packagist:https://packages.drupal.org", "name": "8/drupal/core"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}
            """;
        await Upsert(raw);
        await Upsert(decoy);
        Assert.That((await Store.FindByPackageAsync("Packagist:https://packages.drupal.org/8", "drupal/core")).Select(a => a.Id),
            Is.EqualTo(new[] { "DRUPAL-TEST-1" }));
        Assert.That((await Store.FindByPackageAsync("Packagist:https://packages.drupal.org", "8/drupal/core")).Select(a => a.Id),
            Is.EqualTo(new[] { "DRUPAL-TEST-2" }));
    }

    [Test]
    public async Task Batched_lookups_return_every_requested_key()
    {
        await Store.UpsertManyAsync([Record("debian", "DLA-3008-1"), Record("debian", "DSA-3029-1"), Record("ghsa", "GHSA-jfh8-c2jp-5v3q")]);
        var keys = new[]
        {
            new AdvisoryPackageKey("Debian:9", "openssl"),
            new AdvisoryPackageKey("Debian:7", "nginx"),
            new AdvisoryPackageKey("Maven", "org.apache.logging.log4j:log4j-core"),
            new AdvisoryPackageKey("npm", "left-pad"),
            new AdvisoryPackageKey("Debian:9", "openssl"),
        };
        var found = await Store.FindByPackagesAsync(keys);

        Assert.That(found.Keys, Is.EquivalentTo(keys.Distinct()));
        Assert.That(found[keys[0]].Select(a => a.Id), Is.EqualTo(new[] { "DLA-3008-1" }));
        Assert.That(found[keys[1]].Select(a => a.Id), Is.EqualTo(new[] { "DSA-3029-1" }));
        Assert.That(found[keys[2]].Select(a => a.Id), Is.EqualTo(new[] { "GHSA-jfh8-c2jp-5v3q" }));
        Assert.That(found[keys[3]], Is.Empty);
    }

    [Test]
    public async Task UpsertMany_stores_the_whole_corpus_and_reports_in_input_order()
    {
        var items = OsvCorpus.AllFiles().Select(f => File.ReadAllText(f)).Select(raw => (OsvParser.Parse(raw), raw)).ToList();
        var results = await Store.UpsertManyAsync(items);

        Assert.That(results.Select(r => r.Id), Is.EqualTo(items.Select(i => i.Item1.Id)));
        var distinct = items.Select(i => i.Item1.Id).Distinct().Count();
        Assert.That(await Store.CountAsync(), Is.EqualTo(distinct));
        Assert.That(results.Count(r => r.Change == AdvisoryChange.New), Is.EqualTo(distinct));
        // A repeated id in one batch is compared with its earlier copy: identical copies are Unchanged.
        var repeats = results.Where(r => r.Change != AdvisoryChange.New).ToList();
        Assert.That(repeats, Has.Count.EqualTo(items.Count - distinct));
        Assert.That(repeats.Where(r => r.Id.StartsWith("PYSEC-", StringComparison.Ordinal)).Select(r => r.Change),
            Is.All.EqualTo(AdvisoryChange.Unchanged));

        var again = await Store.UpsertManyAsync(items.Where(i => !repeats.Any(r => r.Id == i.Item1.Id)).ToList());
        Assert.That(again.Select(r => r.Change), Is.All.EqualTo(AdvisoryChange.Unchanged));
    }

    [Test]
    public async Task Readers_run_while_a_batch_is_written()
    {
        await Store.UpsertAsync(Record("debian", "DLA-3008-1").Item1, Record("debian", "DLA-3008-1").Item2);
        var items = OsvCorpus.AllFiles().Select(f => File.ReadAllText(f)).Select(raw => (OsvParser.Parse(raw), raw)).ToList();

        var writer = Task.Run(() => Store.UpsertManyAsync(items));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
                Assert.That((await Store.FindByPackageAsync("Debian:9", "openssl")).Select(a => a.Id), Does.Contain("DLA-3008-1"));
        })).ToList();
        await Task.WhenAll(readers.Append(writer));
        Assert.That(await Store.CountAsync(), Is.EqualTo(items.Select(i => i.Item1.Id).Distinct().Count()));
    }

    [Test]
    public async Task LastChanged_follows_the_latest_change()
    {
        await Store.UpsertManyAsync([Record("debian", "DLA-3008-1")]);
        Clock.Advance(TimeSpan.FromDays(1));
        await Store.UpsertManyAsync([Record("debian", "DLA-3008-1"), Record("debian", "DSA-3029-1")]);
        Assert.That(await Store.LastChangedAsync(), Is.EqualTo(Start.AddDays(1)));
        Clock.Advance(TimeSpan.FromDays(1));
        await Store.UpsertManyAsync([Record("debian", "DLA-3008-1"), Record("debian", "DSA-3029-1")]);
        Assert.That(await Store.LastChangedAsync(), Is.EqualTo(Start.AddDays(1)), "nothing changed");
    }

    [Test]
    public async Task Advisories_are_found_by_id_or_by_alias_and_a_metadata_change_moves_the_alias()
    {
        var ghsa = Record("ghsa", "GHSA-45x7-px36-x8w8");
        await Store.UpsertManyAsync([ghsa, Record("debian", "DLA-3008-1")]);

        var byCve = await Store.FindByIdsOrAliasesAsync(["CVE-2023-48795"]);
        var byId = await Store.FindByIdsOrAliasesAsync(["GHSA-45x7-px36-x8w8", "CVE-0000-0000"]);
        Assert.Multiple(() =>
        {
            Assert.That(byCve.Select(a => a.Advisory.Id), Is.EqualTo(new[] { "GHSA-45x7-px36-x8w8" }));
            Assert.That(byCve[0].RawJson, Is.EqualTo(ghsa.Item2), "the raw JSON as stored");
            Assert.That(byId.Select(a => a.Advisory.Id), Is.EqualTo(new[] { "GHSA-45x7-px36-x8w8" }));
        });

        // Re-aliasing is metadata: stored, and the old alias no longer finds it.
        var renamed = Edit(ghsa.Item2, r => r["aliases"] = new JsonArray("CVE-2099-0001"));
        Assert.That((await Upsert(renamed)).Change, Is.EqualTo(AdvisoryChange.MetadataChanged));
        Assert.That(await Store.FindByIdsOrAliasesAsync(["CVE-2023-48795"]), Is.Empty);
        Assert.That((await Store.FindByIdsOrAliasesAsync(["CVE-2099-0001"])).Select(a => a.Advisory.Id), Is.EqualTo(new[] { "GHSA-45x7-px36-x8w8" }));
    }
}
