using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Ecr;

/// <summary>
/// What an ECR access key may call: operations that only read (Describe*, Get*, BatchGet*, List*) need the <c>read</c> scope,
/// the rest (Put*, StartImageScan, CreateRepository, DeleteRepository) <c>write</c>. A key configured with no scopes has both (the shape before scopes existed).
/// </summary>
public static class EcrAccessScopes
{
    private static readonly string[] ReadPrefixes = ["Describe", "Get", "BatchGet", "List"];

    public static string RequiredScope(string operation) =>
        ReadPrefixes.Any(p => operation.StartsWith(p, StringComparison.Ordinal)) ? TokenScopes.Read : TokenScopes.Write;

    public static IReadOnlyCollection<string> ScopesOf(EcrAccessKey key) =>
        key.Scopes.Count == 0 ? [TokenScopes.Read, TokenScopes.Write] : key.Scopes;

    /// <summary>Throws AccessDeniedException (403) when the verified key lacks the operation's scope.</summary>
    public static void Authorize(EcrOptions options, string accessKeyId, string operation)
    {
        var key = options.AccessKeys.First(k => k.AccessKeyId == accessKeyId); // verified just before: it exists
        var required = RequiredScope(operation);
        if (!ScopesOf(key).Contains(required, StringComparer.Ordinal))
            throw new EcrException("AccessDeniedException",
                $"The access key '{accessKeyId}' is not authorized to perform ecr:{operation}: it needs the '{required}' scope (Ecr:AccessKeys:N:Scopes).",
                StatusCodes.Status403Forbidden);
    }
}
