using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace ImageScanning.ServiceDefaults.Security;

/// <summary>One bearer token and what it may do (configuration <c>Security:Tokens:N</c>).</summary>
public sealed class ScopedToken
{
    /// <summary>What logs and metrics call the token's holder (never the token itself); "token-N" when unset.</summary>
    public string? Name { get; set; }

    /// <summary>The secret. Compared in constant time, never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>Any of admin, write, read, metrics, webhook.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>A token that matched, by its name and scopes.</summary>
public sealed record TokenGrant(string Name, IReadOnlySet<string> Scopes);

/// <summary>
/// Every bearer token the service accepts, from the one shape <c>Security:Tokens:N:{Name,Token,Scopes}</c> and the two legacy
/// lists: <c>Security:ApiTokens</c> (read + write) and <c>Security:AdminTokens</c> (admin). A token listed more than once has the
/// union of its scopes.
/// </summary>
public sealed class ConfiguredTokens
{
    public const string Section = "Security:Tokens";
    public const string LegacyApiTokens = "Security:ApiTokens";
    public const string LegacyAdminTokens = "Security:AdminTokens";

    private readonly IReadOnlyList<(byte[] Token, TokenGrant Grant)> tokens;

    public ConfiguredTokens(IEnumerable<ScopedToken> tokens)
    {
        var merged = new Dictionary<string, (string Name, HashSet<string> Scopes)>(StringComparer.Ordinal);
        var index = 0;
        foreach (var token in tokens)
        {
            var name = string.IsNullOrWhiteSpace(token.Name) ? $"token-{index}" : token.Name;
            index++;
            if (token.Token.Length == 0) continue;
            foreach (var scope in token.Scopes)
                if (!TokenScopes.IsKnown(scope))
                    throw new InvalidOperationException(
                        $"{Section}: token '{name}' has the unknown scope '{scope}'; scopes are {string.Join(", ", TokenScopes.All)}.");
            if (merged.TryGetValue(token.Token, out var existing)) existing.Scopes.UnionWith(token.Scopes);
            else merged[token.Token] = (name, [.. token.Scopes]);
        }
        this.tokens = merged.Select(t => (Encoding.UTF8.GetBytes(t.Key), new TokenGrant(t.Value.Name, t.Value.Scopes))).ToList();
    }

    public static ConfiguredTokens From(IConfiguration configuration)
    {
        var tokens = new List<ScopedToken>(configuration.GetSection(Section).Get<List<ScopedToken>>() ?? []);
        tokens.AddRange((configuration.GetSection(LegacyApiTokens).Get<string[]>() ?? [])
            .Select((t, i) => new ScopedToken { Name = $"api-token-{i}", Token = t, Scopes = [TokenScopes.Read, TokenScopes.Write] }));
        tokens.AddRange((configuration.GetSection(LegacyAdminTokens).Get<string[]>() ?? [])
            .Select((t, i) => new ScopedToken { Name = $"admin-token-{i}", Token = t, Scopes = [TokenScopes.Admin] }));
        return new ConfiguredTokens(tokens);
    }

    public int Count => tokens.Count;

    /// <summary>Whether any configured token has <paramref name="scope"/>.</summary>
    public bool AnyWith(string scope) => tokens.Any(t => t.Grant.Scopes.Contains(scope));

    /// <summary>The grant of the presented token, or null. Every configured token is compared, in constant time.</summary>
    public TokenGrant? Find(string presented)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        TokenGrant? found = null;
        foreach (var (token, grant) in tokens)
            if (CryptographicOperations.FixedTimeEquals(presentedBytes, token)) found = grant;
        return found;
    }
}
