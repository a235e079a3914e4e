using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>Content digests ("sha256:hex") and the names a registry URL is built from.</summary>
public static partial class Digests
{
    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")]
    private static partial Regex DigestPattern();

    // The distribution spec's repository name grammar (path components of lowercase alphanumerics and separators).
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    /// <summary>Whether the text is a digest this client can verify (sha256 or sha512, lowercase hex).</summary>
    public static bool IsDigest(string text) => DigestPattern().IsMatch(text);

    public static bool IsRepository(string text) => text.Length <= 255 && RepositoryPattern().IsMatch(text);

    public static bool IsTag(string text) => TagPattern().IsMatch(text);

    public static string Sha256(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The digest of the content in the algorithm of <paramref name="expected"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> content, string expected) =>
        expected.StartsWith("sha512:", StringComparison.Ordinal)
            ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content))
            : Sha256(content);

    /// <summary>An incremental hash for the algorithm of a digest this client accepts.</summary>
    internal static IncrementalHash CreateHash(string digest) =>
        IncrementalHash.CreateHash(digest.StartsWith("sha512:", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    internal static string Format(string expectedDigest, byte[] hash) =>
        expectedDigest[..expectedDigest.IndexOf(':')] + ":" + Convert.ToHexStringLower(hash);

    /// <summary>Throws ImageNotFound when a digest from a caller or a manifest is malformed (it would end up in a URL).</summary>
    internal static void RequireDigest(string digest, string what)
    {
        if (!IsDigest(digest))
            throw new ScanException(ScanFailureKind.ImageNotFound, $"{what}: '{Printable(digest)}' is not a sha256 or sha512 digest.");
    }

    /// <summary>Caps and cleans untrusted text before it goes into a message.</summary>
    internal static string Printable(string text)
    {
        var clean = new string(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 200 ? clean + "..." : clean;
    }
}
