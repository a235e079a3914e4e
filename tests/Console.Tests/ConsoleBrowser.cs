using Microsoft.Playwright;

namespace ImageScanning.Console.Tests;

/// <summary>
/// Debian's chromium driven by Playwright: the browser is the system one (ExecutablePath), so nothing is downloaded;
/// Playwright's driver ships inside its NuGet package.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _baseUrl;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, Uri baseUrl)
    {
        _playwright = playwright;
        _browser = browser;
        _baseUrl = baseUrl;
        Problems = new PageProblems(baseUrl);
    }

    /// <summary>Every page's JavaScript errors and failed same-origin requests, per test.</summary>
    public PageProblems Problems { get; }

    public static async Task<ConsoleBrowser> LaunchAsync(Uri baseUrl)
    {
        if (!File.Exists(ChromiumPath)) Assert.Fail($"{ChromiumPath} is missing: apt-get install chromium (tests/run.sh does it as root).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Chromium refuses its sandbox as root (CI containers).
            Args = Environment.IsPrivilegedProcess ? ["--no-sandbox"] : [],
        });
        return new ConsoleBrowser(playwright, browser, baseUrl);
    }

    /// <summary>A fresh browser context (its own sessionStorage), nothing signed in.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _baseUrl.ToString(), ViewportSize = viewport ?? Desktop });
        context.SetDefaultTimeout(15000);
        var page = await context.NewPageAsync();
        Problems.Watch(page);
        return page;
    }

    /// <summary>Signs in through the sign-in page, as a user does, and waits for the first page behind it.</summary>
    public async Task<IPage> SignedInPageAsync(ViewportSize? viewport = null)
    {
        var page = await NewPageAsync(viewport);
        await page.GotoAsync("/console/#/sign-in");
        await page.GetByLabel("API token").FillAsync(ConsolePlatform.ApiToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Repositories");
        return page;
    }

    /// <summary>Opens a console route and waits until the page finished loading its data.</summary>
    /// <param name="route">A console route such as <c>/registries/local/repositories</c> (the part after <c>#</c>, without a query).</param>
    public static async Task OpenAsync(IPage page, string route, string query = "")
    {
        await page.GotoAsync("/console/#" + route + query);
        await WaitForRouteAsync(page, route);
    }

    /// <summary>The shell marks &lt;main&gt; with the route once the page rendered its data (or its error).</summary>
    public static async Task WaitForRouteAsync(IPage page, string route)
    {
        await page.WaitForFunctionAsync("route => document.getElementById('main').dataset.route === route", route);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
