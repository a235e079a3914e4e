using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageScanning.Console.Tests;

/// <summary>The vulnerabilities, feeds and usage pages and the image's SBOM downloads, against the API's own answers.</summary>
public sealed partial class ConsoleTests
{
    private const string VulnerabilitiesRoute = $"/registries/{Registry}/vulnerabilities";
    private const string UsageRoute = $"/registries/{Registry}/usage";

    [Test]
    public async Task Vulnerabilities_are_the_apis_aggregation_paged_by_the_server_and_each_drills_down_to_the_images_it_affects()
    {
        var buckets = (await Platform.GetJsonAsync($"/api/v1/findings/aggregations/vulnerability?registry={Registry}&maxResults=100"))["responses"]!.AsArray()
            .Select(r => r!["titleAggregation"]!).ToList();
        var expected = buckets.Select(b => $"{b["vulnerabilityId"]}|{(int)b["severityCounts"]!["all"]!}").ToList();
        Assert.That(expected, Has.Some.StartsWith(ConsoleAdvisories.Planned[0].Id + "|"));
        Assert.That(expected, Has.Count.GreaterThan(2), "enough vulnerabilities for more than one page");

        // Two or three server pages, walked with Next: every vulnerability exactly once, with the API's finding count.
        var size = (expected.Count + 1) / 2;
        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, VulnerabilitiesRoute, $"?maxResults={size}");
        var rows = page.GetByTestId("vulnerabilities").Locator("tbody tr");
        var shown = new List<string>();
        for (var pageNumber = 1; ; pageNumber++)
        {
            await Expect(page.Locator(".pager")).ToContainTextAsync($"Page {pageNumber}");
            await ConsoleBrowser.WaitForRouteAsync(page, VulnerabilitiesRoute);
            shown.AddRange(await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.cells[0].innerText + '|' + r.cells[2].innerText)"));
            var next = page.GetByTestId("next-page");
            if (await next.IsDisabledAsync()) break;
            Assert.That(pageNumber, Is.LessThan(5), "paging must end");
            await next.ClickAsync();
        }
        Assert.That(shown, Is.EquivalentTo(expected));

        // One vulnerability: the findings the API lists for it, one row per affected image and package.
        var id = ConsoleAdvisories.Planned[0].Id;
        var findings = (await Platform.GetJsonAsync($"/api/v1/findings?registry={Registry}&vulnerabilityId={id}&maxResults=100"))["findings"]!.AsArray();
        var affected = findings.Select(f => (string)f!["resources"]![0]!["details"]!["awsEcrContainerImage"]!["imageHash"]!).Distinct().ToList();
        Assert.That(affected, Does.Contain(Platform.Scanned.Digest));
        await ConsoleBrowser.OpenAsync(page, VulnerabilitiesRoute);
        var imagesCell = page.GetByTestId("vulnerabilities").Locator("tbody tr", new() { HasText = id }).Locator("td").Nth(4);
        await Expect(imagesCell).ToHaveTextAsync(affected.Count.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync(id);
        await ConsoleBrowser.WaitForRouteAsync(page, VulnerabilitiesRoute);
        var affectedRows = page.GetByTestId("affected-images").Locator("tbody tr");
        await Expect(affectedRows).ToHaveCountAsync(findings.Count);
        var scannedRow = affectedRows.Filter(new() { HasText = ConsolePlatform.ScannedRepository });
        await Expect(scannedRow.First).ToContainTextAsync(ConsoleAdvisories.Planned[0].Package);
        await Expect(scannedRow.First.Locator("[data-status]")).ToHaveTextAsync(((string)findings[0]!["status"]!).ToLowerInvariant());
        await scannedRow.First.GetByRole(AriaRole.Link).ClickAsync();
        await ConsoleBrowser.WaitForRouteAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest));
    }

    [Test]
    public async Task Feeds_show_each_sources_status_and_highlight_the_failing_one()
    {
        var sources = await FeedStatusesAfterFirstRunsAsync();
        var healthy = sources.Single(s => (string?)s["name"] == ConsolePlatform.HealthyFeed);
        var failing = sources.Single(s => (string?)s["name"] == ConsolePlatform.FailingFeed);
        Assert.That((long)healthy["advisoryCount"]!, Is.EqualTo(ConsoleAdvisories.Planned.Length));
        Assert.That((string?)failing["lastOutcome"], Is.EqualTo("failed"));

        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, "/feeds");
        var table = page.GetByTestId("feeds");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(sources.Count);
        var healthyRow = table.Locator($"tr[data-feed='{ConsolePlatform.HealthyFeed}']");
        await Expect(healthyRow).ToHaveAttributeAsync("data-state", "ok");
        await Expect(healthyRow.Locator("td").Nth(4)).ToHaveTextAsync(ConsoleAdvisories.Planned.Length.ToString(CultureInfo.InvariantCulture));
        await Expect(healthyRow.Locator("td").Nth(2)).ToHaveTextAsync(Minute(healthy["lastSuccess"]!));
        var failingRow = table.Locator($"tr[data-feed='{ConsolePlatform.FailingFeed}']");
        await Expect(failingRow).ToHaveAttributeAsync("data-state", "failing");
        await Expect(failingRow).ToHaveClassAsync("feed-failing");
        await Expect(failingRow.Locator("td").Nth(6)).ToHaveTextAsync((string)failing["lastError"]!);
        await Expect(page.GetByTestId("feed-problems")).ToContainTextAsync($"{ConsolePlatform.FailingFeed} (failing)");
        await Expect(page.GetByTestId("feed-problems")).Not.ToContainTextAsync(ConsolePlatform.HealthyFeed);

        var status = await Platform.GetJsonAsync("/api/v1/advisories/status");
        await Expect(page.GetByTestId("advisory-status")).ToContainTextAsync(status["advisories"]!.ToString());
    }

    /// <summary>Sources run at start-up, in the background; the test waits until both have been attempted.</summary>
    private async Task<List<JsonNode>> FeedStatusesAfterFirstRunsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var sources = (await Platform.GetJsonAsync("/api/v1/feeds"))["sources"]!.AsArray().Select(s => s!).ToList();
            var attempted = sources.Where(s => s["lastAttempt"] is not null).Select(s => (string?)s["name"]).ToList();
            if (attempted.Contains(ConsolePlatform.HealthyFeed) && attempted.Contains(ConsolePlatform.FailingFeed)) return sources;
            if (DateTime.UtcNow > deadline) Assert.Fail("The feed sources did not run: " + string.Join(", ", attempted));
            await Task.Delay(300);
        }
    }

    /// <summary>The console's date format: ISO minutes in UTC.</summary>
    private static string Minute(JsonNode value) =>
        DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    [Test]
    public async Task Usage_shows_the_apis_scans_per_repository_and_cost_for_the_chosen_month()
    {
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var usage = await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/usage?month={month}");
        var repositories = usage["repositories"]!.AsArray();
        Assert.That(repositories.Select(r => (string?)r!["repository"]), Does.Contain(ConsolePlatform.ScannedRepository));
        await TestContext.Out.WriteLineAsync("Usage: " + usage.ToJsonString());
        Assert.That((long)usage["initialScans"]!, Is.GreaterThanOrEqualTo(1), "the images scanned on push");

        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, UsageRoute, $"?month={month}");
        await Expect(page.GetByTestId("usage-initial")).ToHaveTextAsync(usage["initialScans"]!.ToString());
        await Expect(page.GetByTestId("usage-rescans")).ToHaveTextAsync(usage["rescans"]!.ToString());
        await Expect(page.GetByTestId("usage-cost")).ToHaveTextAsync(Dollars(usage["estimatedCostUsd"]!));
        var shown = await page.GetByTestId("usage").Locator("tbody tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => [...r.cells].map(c => c.innerText).join('|'))");
        Assert.That(shown, Is.EquivalentTo(repositories.Select(r => $"{r!["repository"]}|{r["initialScans"]}|{r["rescans"]}|{Dollars(r["estimatedCostUsd"]!)}")));

        // Another month: the API's (empty) answer for it, chosen with the month picker.
        await page.GetByLabel("Month").FillAsync("2001-01");
        await Expect(page.GetByTestId("usage").Locator("tbody")).ToHaveTextAsync("No scans in 2001-01.");
        var empty = await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/usage?month=2001-01");
        Assert.That(empty["repositories"]!.AsArray(), Is.Empty);
        await Expect(page.GetByTestId("usage-initial")).ToHaveTextAsync("0");
    }

    private static string Dollars(JsonNode value) => "$" + ((decimal)value).ToString("0.00", CultureInfo.InvariantCulture);

    [Test]
    public async Task The_image_page_downloads_its_sbom_in_both_formats_and_shows_each_findings_suppression_status()
    {
        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest));
        var reference = $"{ConsolePlatform.ScannedRepository}@{Platform.Scanned.Digest}";
        foreach (var (format, label, count, marker, value) in new[]
                 { ("cyclonedx", "CycloneDX", "components", "bomFormat", "CycloneDX"), ("spdx", "SPDX", "packages", "spdxVersion", "SPDX-2.3") })
        {
            var api = await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/sbom/{reference}?format={format}");
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download " + label }).ClickAsync());
            Assert.That(download.SuggestedFilename, Does.EndWith($".{format}.json"));
            var saved = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
            Assert.That((string?)saved[marker], Is.EqualTo(value), format);
            Assert.That(saved[count]!.AsArray(), Has.Count.EqualTo(api[count]!.AsArray().Count).And.Count.GreaterThan(10), format);
        }

        // A suppression rule for one vulnerability: its finding shows SUPPRESSED, the rest stay ACTIVE, as the API says.
        var suppressed = ConsoleAdvisories.Planned[2].Id;
        var created = await Platform.Api.PostAsJsonAsync("/api/v1/suppression-rules", new
        {
            name = "console-test", reason = "accepted risk",
            filter = new { vulnerabilityIds = new[] { suppressed }, repository = ConsolePlatform.ScannedRepository },
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        try
        {
            var lifecycle = await LifecycleWhenAsync(findings => findings.Any(f => (string?)f["status"] == "SUPPRESSED"));
            Assert.That(lifecycle.Where(f => (string?)f["status"] == "SUPPRESSED").Select(f => (string?)f["packageVulnerabilityDetails"]!["vulnerabilityId"]).Distinct(),
                Is.EqualTo(new[] { suppressed }));
            // Same URL: a reload, not a hash change, makes the page ask again.
            await page.ReloadAsync();
            await ConsoleBrowser.WaitForRouteAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest));
            foreach (var status in new[] { "ACTIVE", "SUPPRESSED" })
                await Expect(page.GetByTestId("findings").Locator($"[data-status='{status}']"))
                    .ToHaveCountAsync(lifecycle.Count(f => (string?)f["status"] == status));
            await Expect(page.GetByTestId("findings").Locator("tbody tr", new() { HasText = suppressed }).Locator("[data-status]")).ToHaveTextAsync("suppressed");
        }
        finally
        {
            await Platform.Api.DeleteAsync(created.Headers.Location);
            await LifecycleWhenAsync(findings => findings.All(f => (string?)f["status"] == "ACTIVE"));
        }
    }

    /// <summary>The scanned image's findings from the findings query API, once Findings applied a rule change.</summary>
    private async Task<List<JsonNode>> LifecycleWhenAsync(Func<List<JsonNode>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var findings = (await Platform.GetJsonAsync(
                $"/api/v1/findings?registry={Registry}&repository={ConsolePlatform.ScannedRepository}&imageDigest={Platform.Scanned.Digest}&status=ACTIVE,SUPPRESSED&maxResults=100"))["findings"]!
                .AsArray().Select(f => f!).ToList();
            if (findings.Count > 0 && condition(findings)) return findings;
            if (DateTime.UtcNow > deadline) Assert.Fail("Findings did not follow the suppression rule: " + string.Join(", ", findings.Select(f => (string?)f["status"])));
            await Task.Delay(300);
        }
    }
}
