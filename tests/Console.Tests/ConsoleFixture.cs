namespace ImageScanning.Console.Tests;

/// <summary>
/// The platform and browser every console test runs against, and the one rule they share: a test fails on any JavaScript error or
/// failed same-origin request of the pages it opened, unless it declares that problem with <see cref="ExpectsPageProblemAttribute"/>.
/// </summary>
public abstract class ConsoleFixture
{
    protected ConsolePlatform Platform { get; private set; } = null!;
    protected ConsoleBrowser Browser { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Platform = await ConsolePlatform.StartAsync();
        Browser = await ConsoleBrowser.LaunchAsync(Platform.GatewayUrl);
    }

    [TearDown]
    public void FailOnPageProblems()
    {
        var problems = Browser.Problems.TakeUnexpected();
        if (problems.Count > 0)
            Assert.Fail($"The console pages reported {problems.Count} problem(s) the test does not expect:{Environment.NewLine}"
                        + string.Join(Environment.NewLine, problems));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0 && Platform is not null) await TestContext.Out.WriteLineAsync(Platform.Logs);
        if (Browser is not null) await Browser.DisposeAsync();
        if (Platform is not null) await Platform.DisposeAsync();
    }
}
