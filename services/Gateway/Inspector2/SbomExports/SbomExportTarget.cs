using ImageScanning.Outbound;

namespace ImageScanning.Gateway.Inspector2.SbomExports;

/// <summary>An export that cannot go on, with Inspector's ReportingErrorCode.</summary>
public sealed class SbomExportException(string errorCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorCode { get; } = errorCode;
}

/// <summary>
/// Where one export's objects are written: under the configured directory (never outside it) or PUT below the configured URL with
/// the outbound-policy client (no redirects followed), so an export reaches no host the settings did not name.
/// </summary>
public sealed class SbomExportTarget(SbomExportDestination destination, IHttpClientFactory clients)
{
    public const string HttpClientName = "Inspector2SbomExport";

    public async Task WriteAsync(string key, string json, CancellationToken ct)
    {
        if (destination.Directory is { Length: > 0 } directory)
        {
            var root = Path.GetFullPath(directory);
            var path = Path.GetFullPath(Path.Combine(root, key));
            if (!path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new SbomExportException("INVALID_PERMISSIONS", $"The object key '{key}' would leave the bucket's directory.");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, json, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SbomExportException("INVALID_PERMISSIONS", $"Writing {key} under the bucket's directory failed: {e.Message}", e);
            }
            return;
        }
        var url = new Uri(destination.Url!.TrimEnd('/') + "/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString)));
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).PutAsync(url, content, ct);
        }
        catch (HttpRequestException e) when (OutboundAddressRefusedException.Find(e) is not null)
        {
            throw new SbomExportException("INVALID_PERMISSIONS", $"The bucket's URL host is not allowed by the outbound policy (Outbound:AllowList): {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new SbomExportException("BUCKET_NOT_FOUND", $"The bucket's URL could not be reached: {e.Message}", e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            var code = (int)response.StatusCode switch { 401 or 403 => "INVALID_PERMISSIONS", 404 => "BUCKET_NOT_FOUND", _ => "INTERNAL_ERROR" };
            throw new SbomExportException(code, $"PUT {url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }
}
