using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ImageScanning.Console.Tests;

/// <summary>
/// Declares a page problem the test provokes on purpose (a refused token's 401, a validation error's 400): problems whose text
/// matches the regular expression <paramref name="pattern"/> (whole text, e.g. <c>^HTTP 401: GET \S+/api/v1/registries$</c>) do not
/// fail the test. <paramref name="because"/> says why the test expects it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ExpectsPageProblemAttribute(string pattern, string because) : PropertyAttribute(PropertyName, pattern)
{
    public const string PropertyName = "ExpectedPageProblem";

    public string Because { get; } = because;
}

/// <summary>
/// What went wrong in the pages a test opened: uncaught JavaScript errors, console errors, and same-origin requests that failed
/// or were answered 4xx/5xx. Each page records under the test that opened it; <see cref="ConsoleFixture"/> fails the test on them.
/// </summary>
public sealed class PageProblems(Uri origin)
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byTest = new();

    /// <summary>Records the problems of <paramref name="page"/> for the test running now (events arrive on Playwright's threads).</summary>
    public void Watch(IPage page)
    {
        var problems = _byTest.GetOrAdd(TestContext.CurrentContext.Test.ID, _ => new ConcurrentQueue<string>());
        void Add(string problem)
        {
            problems.Enqueue(problem);
            TestContext.Progress.WriteLine(problem);
        }

        page.PageError += (_, message) => Add("page error: " + message);
        page.Console += (_, message) =>
        {
            if (message.Type != "error") return;
            // Chromium logs every failed load as a console error too; same-origin ones are recorded below with their method.
            if (message.Text.StartsWith("Failed to load resource:", StringComparison.Ordinal) && SameOrigin(message.Location)) return;
            Add($"console error: {message.Text} ({message.Location})");
        };
        page.RequestFailed += (_, request) =>
        {
            if (SameOrigin(request.Url)) Add($"request failed: {request.Method} {request.Url}: {request.Failure}");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && SameOrigin(response.Url)) Add($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
        };
    }

    /// <summary>Takes the problems recorded for the current test, leaving out those its <see cref="ExpectsPageProblemAttribute"/>s name.</summary>
    public IReadOnlyList<string> TakeUnexpected()
    {
        var test = TestContext.CurrentContext.Test;
        var expected = test.Properties[ExpectsPageProblemAttribute.PropertyName].Cast<string>().ToList();
        if (!_byTest.TryRemove(test.ID, out var problems)) return [];
        return problems.Where(p => !expected.Any(e => Regex.IsMatch(p, e))).ToList();
    }

    private bool SameOrigin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
