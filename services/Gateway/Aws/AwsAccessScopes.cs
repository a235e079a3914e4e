using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Aws;

/// <summary>
/// What an AWS access key may call: operations that only read (Describe*, Get*, BatchGet*, List*, Search*) need the <c>read</c>
/// scope, the rest (Put*, Create*, Update*, Delete*, StartImageScan) <c>write</c>. A key configured with no scopes has both.
/// </summary>
public static class AwsAccessScopes
{
    private static readonly string[] ReadPrefixes = ["Describe", "Get", "BatchGet", "List", "Search"];

    public static string RequiredScope(string operation) =>
        ReadPrefixes.Any(p => operation.StartsWith(p, StringComparison.Ordinal)) ? TokenScopes.Read : TokenScopes.Write;

    public static IReadOnlyCollection<string> ScopesOf(AwsAccessKey key) =>
        key.Scopes.Count == 0 ? [TokenScopes.Read, TokenScopes.Write] : key.Scopes;

    /// <summary>Throws AccessDeniedException (403) when the verified key lacks the operation's scope; <paramref name="service"/> is the IAM prefix.</summary>
    public static void Authorize(AwsOptions options, string accessKeyId, string service, string operation)
    {
        var key = options.AccessKeys.First(k => k.AccessKeyId == accessKeyId); // verified just before: it exists
        var required = RequiredScope(operation);
        if (!ScopesOf(key).Contains(required, StringComparer.Ordinal))
            throw new AwsApiException("AccessDeniedException",
                $"The access key '{accessKeyId}' is not authorized to perform {service}:{operation}: it needs the '{required}' scope (Aws:AccessKeys:N:Scopes).",
                StatusCodes.Status403Forbidden);
    }
}
