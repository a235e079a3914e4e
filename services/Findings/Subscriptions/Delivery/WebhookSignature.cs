using System.Security.Cryptography;
using System.Text;

namespace ImageScanning.Findings.Subscriptions.Delivery;

/// <summary>
/// The signature a subscriber checks: header X-ImageScanning-Signature-256: sha256=&lt;lowercase hex HMAC-SHA256 of the
/// exact request body bytes, keyed with the UTF-8 bytes of the subscription's secret&gt; (GitHub's X-Hub-Signature-256 form).
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-ImageScanning-Signature-256";
    public const string Prefix = "sha256=";

    public static string Sign(string secret, byte[] body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Constant-time comparison, as a subscriber should do it.</summary>
    public static bool Verify(string secret, byte[] body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));

    /// <summary>A new secret: 32 random bytes, hex, with a prefix that makes it recognisable in a secret scanner.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
