using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImageScanning.ScanEngine.Images.Aws;

/// <summary>A request as SigV4 sees it: method, path, raw query, headers (name → values) and the body.</summary>
public sealed record SignableRequest(
    string Method, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, ReadOnlyMemory<byte> Body);

/// <summary>
/// AWS Signature Version 4 (HMAC-SHA256) computations: the canonical request, the string to sign, the signing key
/// and the signature, as the AWS general reference describes them. Pure functions; the verifier decides what to trust.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string CanonicalRequest(SignableRequest request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method.ToUpperInvariant()).Append('\n');
        builder.Append(CanonicalPath(request.Path)).Append('\n');
        builder.Append(CanonicalQuery(request.Query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => Trim(h.Value));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }
        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(Hex(SHA256.HashData(request.Body.Span)));
        return builder.ToString();
    }

    public static string StringToSign(DateTimeOffset requestTime, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{requestTime.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture)}\n{scope}\n" +
        Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

    public static string Scope(DateTimeOffset requestTime, string region, string service) =>
        $"{requestTime.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static byte[] SigningKey(string secretAccessKey, DateTimeOffset requestTime, string region, string service)
    {
        var date = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey),
            Encoding.UTF8.GetBytes(requestTime.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)));
        var regionKey = HMACSHA256.HashData(date, Encoding.UTF8.GetBytes(region));
        var serviceKey = HMACSHA256.HashData(regionKey, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(serviceKey, "aws4_request"u8);
    }

    /// <summary>The hex signature of <paramref name="request"/> over <paramref name="signedHeaders"/> (lower-case, sorted).</summary>
    public static string Sign(
        SignableRequest request, IReadOnlyList<string> signedHeaders, string secretAccessKey, DateTimeOffset requestTime, string region, string service)
    {
        var stringToSign = StringToSign(requestTime, Scope(requestTime, region, service), CanonicalRequest(request, signedHeaders));
        return Hex(HMACSHA256.HashData(SigningKey(secretAccessKey, requestTime, region, service), Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static bool TryParseTime(string value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    // Header values: leading/trailing space removed, inner runs of spaces collapsed to one.
    private static string Trim(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Each path segment URI-encoded once (non-S3 services encode twice on the client; "/" needs neither).
    private static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path)) return "/";
        return string.Join('/', path.Split('/').Select(segment => Encode(Uri.UnescapeDataString(segment))));
    }

    private static string CanonicalQuery(string query)
    {
        var trimmed = query.TrimStart('?');
        if (trimmed.Length == 0) return "";
        return string.Join('&', trimmed.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=');
                var name = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
                var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
                return (Name: Encode(name), Value: Encode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    // RFC 3986 unreserved characters stay; everything else is %XX with upper-case hex, as SigV4 requires.
    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
