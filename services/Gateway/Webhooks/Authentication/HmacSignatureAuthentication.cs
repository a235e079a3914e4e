using System.Security.Cryptography;
using System.Text;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks.Authentication;

/// <summary>
/// A signature of the body, <c>&lt;header&gt;: sha256=&lt;hex HMAC-SHA256(WebhookSecret, body)&gt;</c> (GitHub's X-Hub-Signature-256),
/// checked in constant time with the registry's WebhookSecret. Stronger than a token: the secret never travels, and a body changed
/// on the way fails. A body over the limit cannot be checked, so it is refused like a bad signature.
/// </summary>
public sealed class HmacSignatureAuthentication(string header) : IWebhookAuthentication
{
    private const string Prefix = "sha256=";

    public bool NeedsBody => true;

    public WebhookRefusal? Refusal(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens, string? body)
    {
        if (registry is null || registry.WebhookSecret.Length == 0) return WebhookRefusal.Unauthorized("Missing or invalid webhook signature.");
        if (body is null)
            return WebhookRefusal.Unauthorized($"The body is larger than {WebhookOptions.Section}:MaxBodyBytes, so its signature cannot be checked.");
        string? presented = request.Headers[header];
        if (presented is null || !presented.StartsWith(Prefix, StringComparison.Ordinal)) return WebhookRefusal.Unauthorized("Missing or invalid webhook signature.");
        byte[] signature;
        try { signature = Convert.FromHexString(presented.AsSpan(Prefix.Length)); }
        catch (FormatException) { return WebhookRefusal.Unauthorized("Missing or invalid webhook signature."); }
        // The body was read as UTF-8 text; a registry's JSON body is UTF-8, so its bytes are the ones that were signed.
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(registry.WebhookSecret), Encoding.UTF8.GetBytes(body));
        return CryptographicOperations.FixedTimeEquals(signature, expected) ? null : WebhookRefusal.Unauthorized("Missing or invalid webhook signature.");
    }

    /// <summary>The signature cannot be judged before the body is read: all of this format's requests share one partition per registry.</summary>
    public string Partition(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens) =>
        "signed:" + (registry?.Name ?? "unknown");
}
