using System.Net;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageScanning.Console.Tests;

/// <summary>Every page at desktop and phone widths: screenshots, no horizontal overflow, and the planned pages' fallbacks.</summary>
public sealed partial class ConsoleTests
{
    /// <summary>Where the screenshots go; set CONSOLE_SCREENSHOTS_TO_DOCS=1 to also refresh docs/screenshots in the repository.</summary>
    private static string ScreenshotDirectory => Path.Combine(Corpus.RepositoryRoot, "tests", "Console.Tests", "TestResults", "console-screenshots");

    private IEnumerable<(string Name, string Route)> Pages()
    {
        yield return ("repositories", $"/registries/{Registry}/repositories");
        yield return ("configuration", $"/registries/{Registry}/configuration");
        yield return ("images", ImagesRoute(ConsolePlatform.ScannedRepository));
        yield return ("findings", ImageRoute(ConsolePlatform.ScannedRepository, _platform.Scanned.Digest));
        yield return ("vulnerabilities", $"/registries/{Registry}/vulnerabilities");
        yield return ("feeds", "/feeds");
        yield return ("usage", $"/registries/{Registry}/usage");
    }

    [Test]
    public async Task Every_page_renders_at_1280_and_390_pixels_without_horizontal_overflow_and_is_screenshotted()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await TestContext.Out.WriteLineAsync($"Console screenshots: {ScreenshotDirectory}");
        var overflowing = new List<string>();
        foreach (var (viewport, suffix) in new[] { (ConsoleBrowser.Desktop, "1280"), (ConsoleBrowser.Phone, "390") })
        {
            var signIn = await _browser.NewPageAsync(viewport);
            await ConsoleBrowser.OpenAsync(signIn, "/sign-in");
            await Screenshot(signIn, "sign-in", suffix, overflowing);

            var page = await _browser.SignedInPageAsync(viewport);
            foreach (var (name, route) in Pages())
            {
                await ConsoleBrowser.OpenAsync(page, route);
                await Screenshot(page, name, suffix, overflowing);
                await Expect(page.Locator("main .alert-error")).ToHaveCountAsync(0);
            }
        }
        if (Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS_TO_DOCS") == "1")
        {
            var docs = Path.Combine(Corpus.RepositoryRoot, "docs", "screenshots");
            Directory.CreateDirectory(docs);
            foreach (var png in Directory.GetFiles(ScreenshotDirectory, "*.png")) File.Copy(png, Path.Combine(docs, Path.GetFileName(png)), overwrite: true);
        }
        Assert.That(overflowing, Is.Empty, "pages wider than the viewport");
    }

    private static async Task Screenshot(IPage page, string name, string suffix, List<string> overflowing)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0) overflowing.Add($"{name} at {suffix} px: {overflow} px too wide");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{suffix}.png"), FullPage = true });
    }

    [Test]
    public async Task Planned_pages_say_not_available_until_their_endpoint_exists_and_show_it_once_it_does()
    {
        var page = await _browser.SignedInPageAsync();
        var planned = new[]
        {
            ($"/registries/{Registry}/vulnerabilities", $"/api/v1/findings?registryId={Registry}", "vulnerabilities"),
            ($"/registries/{Registry}/usage", $"/api/v1/registries/{Registry}/usage", "usage"),
            ("/feeds", "/api/v1/feeds", "feeds"),
        };
        foreach (var (route, endpoint, table) in planned)
        {
            var served = (await _platform.Api.GetAsync(endpoint)).StatusCode != HttpStatusCode.NotFound;
            await ConsoleBrowser.OpenAsync(page, route);
            if (served) await Expect(page.GetByTestId(table)).ToBeVisibleAsync();
            else await Expect(page.GetByTestId("not-available")).ToContainTextAsync(endpoint);
        }

        // Feeds also shows the advisory database the platform serves today.
        var status = await _platform.GetJsonAsync("/api/v1/advisories/status");
        await Expect(page.GetByTestId("advisory-status")).ToContainTextAsync(status["advisories"]!.ToString());

        await ConsoleBrowser.OpenAsync(page, ImageRoute(ConsolePlatform.ScannedRepository, _platform.Scanned.Digest));
        var sbom = $"/api/v1/registries/{Registry}/sbom/{ConsolePlatform.ScannedRepository}@{_platform.Scanned.Digest}?format=cyclonedx";
        var response = await _platform.Api.GetAsync(sbom);
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Download CycloneDX" });
        if (response.StatusCode == HttpStatusCode.NotFound && !(await response.Content.ReadAsStringAsync()).Contains("__type", StringComparison.Ordinal))
        {
            await button.ClickAsync();
            await Expect(page.GetByTestId("sbom-message")).ToContainTextAsync("SBOM export is not available on this server yet.");
        }
        else
        {
            var download = await page.RunAndWaitForDownloadAsync(() => button.ClickAsync());
            Assert.That(download.SuggestedFilename, Does.EndWith(".cyclonedx.json"));
        }
    }
}
