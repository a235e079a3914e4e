using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace ImageScanning.Observability.Tests;

/// <summary>
/// The dashboards tell the truth: a real Prometheus scrapes a platform that has scanned real images, every PromQL
/// expression of every panel runs through Prometheus' HTTP API and must return series, and every metric a
/// dashboard names must be one the services (or RabbitMQ) really export.
/// </summary>
[NonParallelizable]
public sealed partial class DashboardQueryTests
{
    private readonly ObservedPlatform _observed = new();
    private readonly Dashboards _dashboards = Dashboards.Load();
    private HashSet<string> _exported = [];
    private readonly Dictionary<string, List<Dictionary<string, string>>> _choices = [];

    [OneTimeSetUp]
    public async Task StartScanAndScrapeAsync()
    {
        await _observed.StartAsync();
        // rate() and increase() need two samples of a series: wait for two scrapes after the last counter moved.
        await _observed.WaitForScrapeAsync("imagescanning_scan_stage_duration_seconds_count{stage=\"store\"} >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_scanner_scans_completed_total[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_scanner_scans_failed_total[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_scan_stage_duration_seconds_count{stage=\"store\"}[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_router_rescans_total{outcome=\"sent\"}[5m]) >= 2");
        // The counters move after what the setup waited for (the subscriber's 200, the re-scan's findings): wait for their final values.
        await _observed.WaitForScrapeAsync("sum(imagescanning_subscriptions_deliveries_total{outcome=\"delivered\"}) >= 3");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_subscriptions_deliveries_total{outcome=\"delivered\"}[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_usage_scans_total{kind=\"rescan\"}[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(imagescanning_findings_open{repository=\"cont/debian\",severity=\"HIGH\"}[5m]) >= 2");
        await _observed.WaitForScrapeAsync("count_over_time(rabbitmq_queue_messages_ready{vhost=\"" + _observed.VirtualHost + "\"}[5m]) >= 2");
        _exported = await ExportedMetricNamesAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0) await TestContext.Out.WriteLineAsync(_observed.Platform?.Logs);
        await _observed.DisposeAsync();
    }

    [Test]
    public async Task Every_panel_query_runs_and_returns_series()
    {
        var queries = _dashboards.Queries().ToList();
        Assert.That(queries, Has.Count.GreaterThan(40), "the dashboards' queries were found");

        var failures = new List<string>();
        foreach (var query in queries)
        {
            // A drill-down panel must show data for some choice of its variables (a healthy repository has no failures).
            var anySeries = false;
            foreach (var choice in await VariableChoicesAsync(query.Dashboard))
            {
                var expression = Dashboards.Substitute(query.Expression, choice);
                var outcome = await _observed.Prometheus.QueryAsync(expression);
                if (outcome.Error is not null) failures.Add($"{query} -> {outcome.Error}");
                anySeries |= outcome.Result.Count > 0;
            }
            if (!anySeries) failures.Add($"{query} -> no series");
        }
        await TestContext.Out.WriteLineAsync($"{queries.Count} queries, {failures.Count} failing");
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures));
    }

    [Test]
    public void Every_metric_a_dashboard_names_is_really_exported()
    {
        var unknown = (from query in _dashboards.Queries().Concat(_dashboards.Variables().Select(v => new PanelQuery(v.Dashboard, "$" + v.Name, Dashboards.VariableQuery(v.Query).PromQl)))
                       from name in Dashboards.MetricNames(Dashboards.Substitute(query.Expression, new Dictionary<string, string>()))
                       where !_exported.Contains(name)
                       select $"{name} ({query})").Distinct().ToList();
        Assert.That(unknown, Is.Empty, string.Join(Environment.NewLine, unknown));
    }

    [Test]
    public void Panels_have_titles_and_datasources_that_resolve()
    {
        var provisioned = Dashboards.ProvisionedDatasourceUids();
        Assert.That(provisioned, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (file, json) in _dashboards.All)
            {
                Assert.That((string?)json["uid"], Is.Not.Null.And.Not.Empty, file);
                Assert.That((string?)json["title"], Is.Not.Null.And.Not.Empty, file);
                foreach (var panel in Dashboards.Panels(json))
                    Assert.That((string?)panel["title"], Is.Not.Null.And.Not.Empty, $"{file}: panel {panel["id"]}");
            }
            Assert.That(_dashboards.All.Select(d => (string?)d.Json["uid"]), Is.Unique);
            foreach (var (where, uid) in _dashboards.DatasourceUids())
                Assert.That(provisioned, Does.Contain(uid), where);
        });
    }

    [Test]
    public void The_dashboard_set_is_the_overview_the_security_posture_and_the_repository_drill_down()
    {
        var titles = _dashboards.All.Select(d => (string)d.Json["title"]!).ToList();
        Assert.That(titles, Is.EquivalentTo(new[] { "Image scanning: overview", "Image scanning: security posture", "Image scanning: repository" }));
        var repository = _dashboards.All.Single(d => (string)d.Json["title"]! == "Image scanning: repository");
        Assert.That(_dashboards.Variables().Where(v => v.Dashboard == repository.File).Select(v => v.Name), Is.SupersetOf(new[] { "registry", "repository" }));
    }

    [Test]
    public async Task Scan_counters_describe_what_really_happened()
    {
        // One completed BASIC push scan of e2e/debian, one failed (no operating system) of e2e/scratch, nothing for other/debian.
        var completed = await ValueAsync("sum(imagescanning_scanner_scans_completed_total{registry=\"local\",repository=\"e2e/debian\",trigger=\"PUSH\",scan_type=\"BASIC\"})");
        var failed = await ValueAsync("sum(imagescanning_scanner_scans_failed_total{repository=\"e2e/scratch\",reason=\"UNSUPPORTED_IMAGE\"})");
        var other = await _observed.Prometheus.QueryAsync("imagescanning_scanner_scans_started_total{repository=\"other/debian\"}");
        var stages = await _observed.Prometheus.QueryAsync("count by (stage) (imagescanning_scan_stage_duration_seconds_count)");
        Assert.Multiple(() =>
        {
            Assert.That(completed, Is.EqualTo(1));
            Assert.That(failed, Is.EqualTo(1));
            Assert.That(other.Result, Is.Empty);
            Assert.That(stages.Result.Select(s => (string?)s!["metric"]!["stage"]), Is.EquivalentTo(new[] { "pull", "inventory", "match", "store" }));
        });
    }

    [Test]
    public async Task Rescan_usage_feed_delivery_and_open_finding_metrics_describe_what_really_happened()
    {
        // cont/debian (CONTINUOUS_SCAN, ENHANCED) was re-scanned for the uploaded bash advisory; e2e/debian holds bash too but
        // is outside the continuous rules. Deliveries: "ECR Image Scan" for e2e/scratch (FAILED) and
        // e2e/debian (BASIC), "Inspector2 Scan" for cont/debian's ENHANCED push scan (Inspector announces no re-scan).
        var sent = await ValueAsync("sum(imagescanning_router_rescans_total{outcome=\"sent\"})");
        var notEligible = await ValueAsync("sum(imagescanning_router_rescans_total{outcome=\"not_eligible\"})");
        var rescanUsage = await ValueAsync("sum(imagescanning_usage_scans_total{registry=\"local\",repository=\"cont/debian\",kind=\"rescan\"})");
        var initialUsage = await ValueAsync("sum(imagescanning_usage_scans_total{kind=\"initial\"})");
        var uploadRuns = await ValueAsync("sum(imagescanning_feed_runs_total{source=\"upload\",outcome=\"changed\"})");
        var uploaded = await ValueAsync("sum(imagescanning_feed_advisories{source=\"upload\"})");
        var delivered = await ValueAsync("sum(imagescanning_subscriptions_deliveries_total{outcome=\"delivered\"})");
        var highOnContinuous = await ValueAsync("sum(imagescanning_findings_open{repository=\"cont/debian\",severity=\"HIGH\",fix_available=\"YES\"})");
        var highOnPushOnly = await _observed.Prometheus.QueryAsync("imagescanning_findings_open{repository=\"e2e/debian\",severity=\"HIGH\"}");
        var feedAge = await ValueAsync("time() - max(imagescanning_feed_last_success_seconds{source=\"upload\"})");
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(1));
            Assert.That(notEligible, Is.EqualTo(1));
            Assert.That(rescanUsage, Is.EqualTo(1));
            Assert.That(initialUsage, Is.EqualTo(2), "e2e/debian and cont/debian; the failed e2e/scratch scan is not counted");
            Assert.That(uploadRuns, Is.EqualTo(2), "the zip and the bash advisory");
            Assert.That(uploaded, Is.EqualTo(6), "five records in the zip, one uploaded alone");
            Assert.That(delivered, Is.EqualTo(_observed.Subscriber.Accepted.Count));
            Assert.That(delivered, Is.EqualTo(3));
            Assert.That(highOnContinuous, Is.EqualTo(1));
            Assert.That(highOnPushOnly.Result, Is.Empty);
            Assert.That(feedAge, Is.InRange(0, 300));
        });
    }

    /// <summary>
    /// Every combination of a dashboard's variable values, as Prometheus lists them: each variable's query may use the
    /// variables before it, so the values of one are resolved per choice of the earlier ones.
    /// </summary>
    private async Task<List<Dictionary<string, string>>> VariableChoicesAsync(string dashboard)
    {
        if (_choices.TryGetValue(dashboard, out var cached)) return cached;
        var choices = new List<Dictionary<string, string>> { new() };
        foreach (var variable in _dashboards.Variables().Where(v => v.Dashboard == dashboard))
        {
            var next = new List<Dictionary<string, string>>();
            foreach (var choice in choices)
            {
                var (promQl, label) = Dashboards.VariableQuery(Dashboards.Substitute(variable.Query, choice));
                var outcome = await _observed.Prometheus.QueryAsync(promQl);
                Assert.That(outcome.Error, Is.Null, $"{dashboard} ${variable.Name}: {promQl}");
                var values = outcome.Result.Select(r => (string?)r!["metric"]![label ?? "__name__"]).OfType<string>().Distinct().ToList();
                Assert.That(values, Is.Not.Empty, $"{dashboard} ${variable.Name} has no values: {promQl}");
                next.AddRange(values.Select(v => new Dictionary<string, string>(choice) { [variable.Name] = v }));
            }
            choices = next;
        }
        await TestContext.Out.WriteLineAsync($"{dashboard}: {string.Join("; ", choices.Select(c => string.Join(", ", c.Select(v => $"{v.Key}={v.Value}"))))}");
        return _choices[dashboard] = choices;
    }

    private async Task<double> ValueAsync(string promQl)
    {
        var outcome = await _observed.Prometheus.QueryAsync(promQl);
        Assert.That(outcome.Result, Has.Count.EqualTo(1), $"{promQl}: {outcome.Error}");
        return double.Parse((string)outcome.Result[0]!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The sample names the platform's /metrics and RabbitMQ's exporter really serve, read directly (not through Prometheus).</summary>
    private async Task<HashSet<string>> ExportedMetricNamesAsync()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ObservedPlatform.ApiToken);
        var platform = await http.GetStringAsync(new Uri(_observed.Platform.GatewayUrl, "/metrics"));
        var rabbit = await http.GetStringAsync(ObservedPlatform.RabbitMqMetrics);
        await File.WriteAllTextAsync(Path.Combine(TestContext.CurrentContext.WorkDirectory, "scraped-platform-metrics.txt"), platform);
        var names = new HashSet<string>(StringComparer.Ordinal) { "up", "scrape_duration_seconds", "scrape_samples_scraped" };
        foreach (var line in (platform + "\n" + rabbit).Split('\n'))
            if (SampleName().Match(line) is { Success: true } m) names.Add(m.Groups[1].Value);
        return names;
    }

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]")]
    private static partial Regex SampleName();
}
