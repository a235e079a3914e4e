using System.Text.Json;
using System.Web;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// The distribution API's listings: the catalog and a repository's tags, a page at a time. The next page is the Link header's
/// (rel="next"); only its <c>last</c> parameter is taken, so a Link naming another host is never followed.
/// </summary>
internal sealed partial class RegistryClient
{
    private const int MaxListingBytes = 4 * 1024 * 1024;

    public Task<RegistryPage> ListRepositoriesAsync(string? last, int pageSize, CancellationToken ct) =>
        ListAsync("v2/_catalog", "registry:catalog:*", "repositories", last, pageSize, "catalog", ct);

    public Task<RegistryPage> ListTagsAsync(string repository, string? last, int pageSize, CancellationToken ct)
    {
        RequireRepository(repository);
        return ListAsync($"v2/{repository}/tags/list", $"repository:{repository}:pull", "tags", last, pageSize, $"tags of {repository}", ct);
    }

    private async Task<RegistryPage> ListAsync(string path, string scope, string member, string? last, int pageSize, string what, CancellationToken ct)
    {
        if (pageSize < 1) throw new ArgumentOutOfRangeException(nameof(pageSize));
        var query = $"n={pageSize}" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last));
        using var response = await SendScopedAsync(scope, () => RegistryRequests.Get(new Uri(baseUri, $"{path}?{query}"), baseUri), what, ct);
        var body = await ReadCappedAsync(response, MaxListingBytes, what, ct);
        var names = new List<string>();
        try
        {
            using var json = UntrustedJson.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(member, out var list) && list.ValueKind == JsonValueKind.Array)
                names.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
        }
        catch (JsonException e)
        {
            throw new ScanException(ScanFailureKind.InternalError, $"Registry '{registry.Name}' sent a {what} listing that is not JSON.", e);
        }
        return new RegistryPage(names, names.Count == 0 ? null : NextLast(response));
    }

    /// <summary>The <c>last</c> of the Link header's rel="next" URL, or null when there is no next page.</summary>
    private static string? NextLast(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next")) continue;
            var target = parts[0].Trim('<', '>');
            var queryStart = target.IndexOf('?');
            if (queryStart < 0) continue;
            return HttpUtility.ParseQueryString(target[(queryStart + 1)..])["last"];
        }
        return null;
    }
}
