using ImageScanning.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageScanning.Console.Tests;

/// <summary>Every page at desktop and phone widths: screenshots and no horizontal overflow.</summary>
public sealed partial class ConsoleTests
{
    /// <summary>Where the screenshots go; set CONSOLE_SCREENSHOTS_TO_DOCS=1 to also refresh docs/screenshots in the repository.</summary>
    private static string ScreenshotDirectory => Path.Combine(Corpus.RepositoryRoot, "tests", "Console.Tests", "TestResults", "console-screenshots");

    private IEnumerable<(string Name, string Route, string Query)> Pages()
    {
        yield return ("repositories", $"/registries/{Registry}/repositories", "");
        yield return ("configuration", $"/registries/{Registry}/configuration", "");
        yield return ("images", ImagesRoute(ConsolePlatform.ScannedRepository), "");
        yield return ("findings", ImageRoute(ConsolePlatform.ScannedRepository, Platform.Scanned.Digest), "");
        yield return ("vulnerabilities", VulnerabilitiesRoute, "");
        yield return ("vulnerability", VulnerabilitiesRoute, "?vulnerabilityId=" + ConsoleAdvisories.Planned[0].Id);
        yield return ("feeds", "/feeds", "");
        yield return ("usage", UsageRoute, "");
    }

    [Test]
    public async Task Every_page_renders_at_1280_and_390_pixels_without_horizontal_overflow_and_is_screenshotted()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await TestContext.Out.WriteLineAsync($"Console screenshots: {ScreenshotDirectory}");
        var overflowing = new List<string>();
        foreach (var (viewport, suffix) in new[] { (ConsoleBrowser.Desktop, "1280"), (ConsoleBrowser.Phone, "390") })
        {
            var signIn = await Browser.NewPageAsync(viewport);
            await ConsoleBrowser.OpenAsync(signIn, "/sign-in");
            await Screenshot(signIn, "sign-in", suffix, overflowing);

            var page = await Browser.SignedInPageAsync(viewport);
            foreach (var (name, route, query) in Pages())
            {
                await ConsoleBrowser.OpenAsync(page, route, query);
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
}
