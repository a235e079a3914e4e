using System.Text.Json.Nodes;
using ImageScanning.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageScanning.Console.Tests;

/// <summary>
/// The web console in headless Chromium against a running Standalone platform that scanned real images.
/// Every assertion compares what the page shows with what the REST API answers.
/// </summary>
[NonParallelizable]
public sealed partial class ConsoleTests : ConsoleFixture
{
    private const string Registry = ConsolePlatform.Registry;

    private static string Encoded(string value) => Uri.EscapeDataString(value);
    private static string ImagesRoute(string repository) => $"/registries/{Registry}/repositories/{Encoded(repository)}/images";
    private static string ImageRoute(string repository, string digest) => $"/registries/{Registry}/images/{Encoded(repository + "@" + digest)}";

    [Test]
    [ExpectsPageProblem(@"^HTTP 401: GET \S+/api/v1/registries$", "a wrong and a revoked token are refused by the API; the test checks the page's answer to that 401")]
    public async Task Signing_in_refuses_a_wrong_token_keeps_the_right_one_for_the_tab_and_signing_out_forgets_it()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync("/console/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/sign-in"));

        await page.GetByLabel("API token").FillAsync("not-the-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That API token was refused.");
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('imagescan.apiToken')"), Is.Null);

        await page.GetByLabel("API token").FillAsync(ConsolePlatform.ApiToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Repositories");
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('imagescan.apiToken')"), Is.EqualTo(ConsolePlatform.ApiToken));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/sign-in"));
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('imagescan.apiToken')"), Is.Null);

        // A token the server stops accepting sends the user back to sign in.
        await page.EvaluateAsync("sessionStorage.setItem('imagescan.apiToken', 'revoked')");
        await page.GotoAsync($"/console/#/registries/{Registry}/repositories");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/sign-in"));
    }

    [Test]
    public async Task The_console_files_are_served_without_a_token_but_hold_no_data()
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.GatewayUrl };
        foreach (var file in new[] { "/console/", "/console/js/app.js", "/console/js/pages/repositories.js", "/console/console.css" })
        {
            var response = await anonymous.GetAsync(file);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), file);
            Assert.That(body, Does.Not.Contain(ConsolePlatform.ScannedRepository).And.Not.Contain(Platform.Scanned.Digest), file);
        }
        Assert.That((int)(await anonymous.GetAsync($"/api/v1/registries/{Registry}/repositories")).StatusCode, Is.EqualTo(401));
        Assert.That((int)(await anonymous.GetAsync("/console/../appsettings.json")).StatusCode, Is.EqualTo(404));
    }

    [Test]
    [ExpectsPageProblem(@"^HTTP 400: (POST \S+/scanning-configuration/preview|PUT \S+/scanning-configuration)$",
        "an invalid filter is refused by the API's preview and save; the test checks that the page shows the API's message")]
    public async Task Changing_the_configuration_shows_the_apis_validation_error_previews_matches_and_survives_a_reload()
    {
        try
        {
            var page = await Browser.SignedInPageAsync();
            var route = $"/registries/{Registry}/configuration";
            await ConsoleBrowser.OpenAsync(page, route);
            await Expect(page.GetByLabel("Rule 1 filter 1")).ToHaveValueAsync("console/*");
            await Expect(page.GetByTestId("rule-0-matches")).ToHaveTextAsync($"Matches 2 repositories: {ConsolePlatform.PagedRepository}, {ConsolePlatform.ScannedRepository}");

            await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
            await page.GetByLabel("Rule 2 filter 1").FillAsync("Other/*");
            var error = page.GetByTestId("config-error");
            await Expect(error).ToContainTextAsync("InvalidParameterException: Invalid parameter at 'filter' failed to satisfy constraint: 'must satisfy regular expression");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
            await Expect(error).ToContainTextAsync("InvalidParameterException");
            var stored = await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/scanning-configuration");
            Assert.That(stored["scanningConfiguration"]!["rules"]!.AsArray(), Has.Count.EqualTo(1), "a refused save changes nothing");

            await page.GetByLabel("Rule 2 filter 1").FillAsync("other/*");
            await Expect(page.GetByTestId("rule-1-matches")).ToHaveTextAsync($"Matches 1 repository: {ConsolePlatform.UnmatchedRepository}");
            await Expect(error).ToBeEmptyAsync();
            var previewRow = page.GetByTestId("preview-table").Locator("tr", new() { HasText = ConsolePlatform.UnmatchedRepository });
            await Expect(previewRow).ToContainTextAsync("On push");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
            await Expect(page.GetByTestId("config-saved")).ToHaveTextAsync("Saved.");

            await page.ReloadAsync();
            await ConsoleBrowser.WaitForRouteAsync(page, route);
            await Expect(page.GetByLabel("Rule 2 filter 1")).ToHaveValueAsync("other/*");
            stored = await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/scanning-configuration");
            var rules = stored["scanningConfiguration"]!["rules"]!.AsArray();
            Assert.That(rules.Select(r => (string?)r!["repositoryFilters"]![0]!["filter"]), Is.EqualTo(new[] { "console/*", "other/*" }));

            // The repositories page follows the saved rules.
            await ConsoleBrowser.OpenAsync(page, $"/registries/{Registry}/repositories");
            await Expect(page.GetByTestId("repositories").Locator("tr", new() { HasText = ConsolePlatform.UnmatchedRepository })).ToContainTextAsync("On push");
        }
        finally
        {
            await Platform.PutConfigurationAsync(ConsolePlatform.InitialConfiguration);
        }
    }

    [Test]
    public async Task Repositories_images_and_an_image_show_what_the_api_answers()
    {
        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, $"/registries/{Registry}/repositories");
        var api = (await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/repositories"))["repositories"]!.AsArray();
        var expected = api.Select(r => $"{r!["repositoryName"]}|{r["scanFrequencyLabel"]}|{r["imageCount"]}").ToList();
        Assert.That(api.Select(r => (string?)r!["repositoryName"]), Is.EquivalentTo(new[] { ConsolePlatform.PagedRepository, ConsolePlatform.ScannedRepository, ConsolePlatform.UnmatchedRepository }));
        var shown = await page.GetByTestId("repositories").Locator("tbody tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => [r.cells[0].innerText, r.cells[1].innerText, r.cells[4].innerText].join('|'))");
        Assert.That(shown, Is.EqualTo(expected), "rows in name order, with the API's frequency and image count");
        Assert.That(shown.Single(s => s.StartsWith(ConsolePlatform.UnmatchedRepository + "|", StringComparison.Ordinal)), Does.Contain("|Manual|"));

        await page.GetByRole(AriaRole.Link, new() { Name = ConsolePlatform.ScannedRepository }).ClickAsync();
        await ConsoleBrowser.WaitForRouteAsync(page, ImagesRoute(ConsolePlatform.ScannedRepository));
        var image = (await Platform.GetJsonAsync($"/api/v1/registries/{Registry}/repositories/{ConsolePlatform.ScannedRepository}/images"))["images"]!.AsArray().Single()!;
        var counts = image["imageScanFindingsSummary"]!["findingSeverityCounts"]!.AsObject();
        Assert.That(counts.Select(c => c.Key), Is.SupersetOf(new[] { "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNDEFINED" }));
        var row = page.GetByTestId("images").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("bookworm");
        await Expect(row).ToContainTextAsync("complete");
        foreach (var (severity, count) in counts)
            await Expect(row.Locator($"[data-severity='{severity}']")).ToHaveTextAsync($"{(int)count!} {severity[0]}");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await ConsoleBrowser.WaitForRouteAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest));
        await Expect(page.Locator("main h1")).ToContainTextAsync(ConsolePlatform.ScannedRepository + "@");
        await Expect(page.Locator("main .facts")).ToContainTextAsync(Platform.Scanned.Digest);
        // Debian 12's LTS ends 2028-06-10 (docs/eol.md): shown, and not in the end-of-life warning style.
        await Expect(page.GetByTestId("end-of-life")).ToHaveTextAsync("2028-06-10");
        await Expect(page.GetByTestId("end-of-life").Locator(".eol")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task An_images_findings_filter_by_severity_fix_and_package_to_exactly_the_apis_findings()
    {
        var findings = (await Platform.GetJsonAsync(
            $"/api/v1/registries/{Registry}/findings/{ConsolePlatform.ScannedRepository}@{Platform.Scanned.Digest}"))["imageScanFindings"]!["findings"]!.AsArray()
            .Select(f => f!.AsObject()).ToList();
        var page = await Browser.SignedInPageAsync();
        await ConsoleBrowser.OpenAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest));
        Assert.That(await ShownFindingsAsync(page), Is.EquivalentTo(findings.Select(Key)), "unfiltered: every finding");

        foreach (var severity in new[] { "CRITICAL", "HIGH", "UNDEFINED" })
        {
            await page.GetByLabel("Severity").SelectOptionAsync(severity);
            var expected = findings.Where(f => (string?)f["severity"] == severity).Select(Key).ToList();
            Assert.That(expected, Is.Not.Empty, severity);
            Assert.That(await ShownFindingsAsync(page), Is.EquivalentTo(expected), severity);
        }
        await page.GetByLabel("Severity").SelectOptionAsync("");

        await page.GetByLabel("Fix").SelectOptionAsync("yes");
        Assert.That(await ShownFindingsAsync(page), Is.EquivalentTo(findings.Where(f => f["fixedInVersion"] is not null).Select(Key)));
        await page.GetByLabel("Fix").SelectOptionAsync("no");
        Assert.That(await ShownFindingsAsync(page), Is.EquivalentTo(findings.Where(f => f["fixedInVersion"] is null).Select(Key)));
        await page.GetByLabel("Fix").SelectOptionAsync("");

        await page.GetByLabel("Package").FillAsync("less");
        Assert.That(await ShownFindingsAsync(page), Is.EquivalentTo(findings.Where(f => (string?)f["package"]!["name"] == "less").Select(Key)));
        await page.GetByLabel("Package").FillAsync("");

        // Each row links to the advisory and names the layer and path the package came from.
        var libc = findings.First(f => (string?)f["package"]!["name"] == "libc6");
        var libcRow = page.GetByTestId("findings").Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = (string)libc["vulnerabilityId"]! }) })
            .Filter(new() { HasText = "libc6" }).First;
        await Expect(libcRow.GetByRole(AriaRole.Link, new() { Name = (string)libc["vulnerabilityId"]! })).ToHaveAttributeAsync("href", (string)libc["sourceUrl"]!);
        await Expect(libcRow).ToContainTextAsync(((string)libc["package"]!["layerDigest"]!)["sha256:".Length..][..12]);
        await Expect(libcRow).ToContainTextAsync((string)libc["package"]!["filePath"]!);
        await Expect(libcRow).ToContainTextAsync((string)libc["fixedInVersion"]!);
    }

    private static string Key(JsonObject finding) => $"{finding["vulnerabilityId"]} {finding["package"]!["name"]}";

    private static async Task<string[]> ShownFindingsAsync(IPage page) =>
        await page.GetByTestId("findings").Locator("tbody tr:not(:has(td.empty))").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => r.cells[0].querySelector('a, span').firstChild.textContent + ' ' + r.cells[3].firstChild.firstChild.textContent)");

    [Test]
    public async Task Images_are_paged_by_the_server_and_every_image_appears_once()
    {
        var page = await Browser.SignedInPageAsync();
        var route = ImagesRoute(ConsolePlatform.PagedRepository);
        await ConsoleBrowser.OpenAsync(page, route, "?maxResults=2");
        var rows = page.GetByTestId("images").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        var first = await rows.Locator("td:first-child a").EvaluateAllAsync<string[]>("links => links.map(a => a.title)");

        await page.GetByTestId("next-page").ClickAsync();
        await ConsoleBrowser.WaitForRouteAsync(page, route);
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("next-page")).ToBeDisabledAsync();
        var second = await rows.Locator("td:first-child a").EvaluateAllAsync<string[]>("links => links.map(a => a.title)");
        Assert.That(first.Concat(second), Is.EquivalentTo(Platform.Paged.Select(p => p.Digest)));

        await page.GetByRole(AriaRole.Button, new() { Name = "← Previous" }).ClickAsync();
        await ConsoleBrowser.WaitForRouteAsync(page, route);
        await Expect(rows).ToHaveCountAsync(2);
    }
}
