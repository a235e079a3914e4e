using Microsoft.AspNetCore.DataProtection;

namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>
/// Encrypts subscription secrets for the store with ASP.NET Core Data Protection (authenticated encryption, keys rotated
/// by the key ring) under a key ring of the service's own, in <see cref="KeyRingDirectory"/>. Stored form: "dp1:" and the
/// protected payload; anything without the prefix is a secret stored before encryption, read as it is.
/// </summary>
public sealed class SubscriptionSecretProtector
{
    public const string Prefix = "dp1:";
    private const string Purpose = "ImageScanning.Findings.Subscriptions.Secret.v1";

    private readonly Lazy<IDataProtector> _protector;

    public SubscriptionSecretProtector(string keyRingDirectory)
    {
        KeyRingDirectory = Path.GetFullPath(keyRingDirectory);
        // A provider of its own, not the host's: in Standalone every service shares one host, and nothing else should decrypt these.
        _protector = new(() => DataProtectionProvider
            .Create(new DirectoryInfo(KeyRingDirectory), builder => builder.SetApplicationName("ImageScanning.Findings"))
            .CreateProtector(Purpose));
    }

    public string KeyRingDirectory { get; }

    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    public string Protect(string secret) => IsProtected(secret) ? secret : Prefix + _protector.Value.Protect(secret);

    public string Unprotect(string stored, Guid subscriptionId)
    {
        if (!IsProtected(stored)) return stored;
        try
        {
            return _protector.Value.Unprotect(stored[Prefix.Length..]);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException(
                $"The secret of subscription {subscriptionId} cannot be decrypted with the key ring in {KeyRingDirectory} "
                + "(Subscriptions:KeyRingDirectory): restore that directory, or delete and re-create the subscription.", e);
        }
    }
}
