using System.Security.Cryptography;
using System.Text;
using ImageScanning.ScanEngine.Images.Aws;
using ImageScanning.ServiceDefaults.Aws;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Aws.Signing;

/// <summary>
/// Verifies a request's AWS Signature Version 4 (Authorization header form, scoped to the service the endpoint serves: <c>ecr</c>
/// or <c>inspector2</c>) against the configured
/// access keys, with AWS's error names: MissingAuthenticationTokenException, IncompleteSignatureException,
/// UnrecognizedClientException, InvalidSignatureException (also for a request outside the clock-skew window and for a
/// replayed signature). The body hash is computed here, never taken from the client. Secrets are never logged.
/// </summary>
public sealed class SigV4Verifier(IOptions<AwsOptions> options, SignatureReplayCache replays, TimeProvider clock)
{
    private const string MismatchMessage = "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /// <summary>Returns the access key id that signed the request; throws <see cref="AwsApiException"/> otherwise.</summary>
    public string Verify(SignableRequest request, string expectedService)
    {
        var settings = options.Value;
        var authorization = Header(request, "Authorization");
        if (string.IsNullOrEmpty(authorization))
            throw new AwsApiException("MissingAuthenticationTokenException", "Missing Authentication Token");
        if (!authorization.StartsWith(SigV4Signer.Algorithm + " ", StringComparison.Ordinal))
            throw new AwsApiException("IncompleteSignatureException", $"Authorization header requires the {SigV4Signer.Algorithm} algorithm.");

        var parts = ParseAuthorization(authorization[(SigV4Signer.Algorithm.Length + 1)..]);
        var credential = Required(parts, "Credential");
        var signedHeadersValue = Required(parts, "SignedHeaders");
        var signature = Required(parts, "Signature");

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
            throw new AwsApiException("IncompleteSignatureException",
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'");
        var (accessKeyId, scopeDate, region, service) = (scope[0], scope[1], scope[2], scope[3]);

        var dateHeader = Header(request, "X-Amz-Date");
        if (string.IsNullOrEmpty(dateHeader))
            throw new AwsApiException("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (!SigV4Signer.TryParseTime(dateHeader, out var requestTime))
            throw new AwsApiException("IncompleteSignatureException", $"Date must be in ISO-8601 'basic format'. Got '{dateHeader}'.");

        var signedHeaders = signedHeadersValue.Split(';');
        if (!signedHeaders.Contains("host"))
            throw new AwsApiException("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        if (!signedHeaders.Contains("x-amz-date"))
            throw new AwsApiException("InvalidSignatureException", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        if (!signedHeaders.SequenceEqual(signedHeaders.Select(h => h.ToLowerInvariant()).Order(StringComparer.Ordinal)))
            throw new AwsApiException("InvalidSignatureException", "SignedHeaders must be lower-case and sorted.");

        var key = settings.AccessKeys.FirstOrDefault(k => k.AccessKeyId.Length > 0 && k.AccessKeyId == accessKeyId);
        // Temporary credentials need an STS we do not have: a session token is as unknown as an unknown key.
        if (key is null || key.SecretAccessKey.Length == 0 || !string.IsNullOrEmpty(Header(request, "X-Amz-Security-Token")))
            throw new AwsApiException("UnrecognizedClientException", "The security token included in the request is invalid.");

        if (service != expectedService)
            throw new AwsApiException("InvalidSignatureException", $"Credential should be scoped to correct service: '{expectedService}'. ");
        if (region != settings.Region)
            throw new AwsApiException("InvalidSignatureException", $"Credential should be scoped to a valid region, not '{region}'. ");
        if (scopeDate != dateHeader[..8])
            throw new AwsApiException("InvalidSignatureException", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{dateHeader[..8]}'");

        var now = clock.GetUtcNow();
        var skew = settings.MaxClockSkew;
        var minutes = $"{skew.TotalMinutes:0.##} min.";
        if (requestTime < now - skew)
            throw new AwsApiException("InvalidSignatureException",
                $"Signature expired: {dateHeader} is now earlier than {Format(now - skew)} ({Format(now)} - {minutes})");
        if (requestTime > now + skew)
            throw new AwsApiException("InvalidSignatureException",
                $"Signature not yet current: {dateHeader} is still later than {Format(now + skew)} ({Format(now)} + {minutes})");

        var expected = SigV4Signer.Sign(request, signedHeaders, key.SecretAccessKey, requestTime, region, service);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            throw new AwsApiException("InvalidSignatureException", MismatchMessage);

        // Record only verified signatures: nobody without the secret can fill the cache.
        if (!replays.TryRecord(signature, requestTime + skew))
            throw new AwsApiException("InvalidSignatureException", "A request with this signature was already received. Sign each request anew.");
        return accessKeyId;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(SigV4Signer.DateFormat, System.Globalization.CultureInfo.InvariantCulture);

    private static string? Header(SignableRequest request, string name)
    {
        var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(',', values);
    }

    private static Dictionary<string, string> ParseAuthorization(string value)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=');
            if (eq > 0) parts[item[..eq]] = item[(eq + 1)..];
        }
        return parts;
    }

    private static string Required(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new AwsApiException("IncompleteSignatureException",
                $"Authorization header requires '{name}' parameter. Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
}
