using ImageScanning.ServiceDefaults.Aws;
using System.Globalization;
using System.Text;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Aws;
using ImageScanning.Gateway.Aws.Signing;
using ImageScanning.ScanEngine.Images.Aws;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>SigV4 verification edge cases: every refusal carries the error name an AWS endpoint gives.</summary>
public sealed class SigV4VerifierTests
{
    private const string KeyId = "AKIATESTKEY";
    private const string Secret = "test-secret/with+chars";
    private const string Region = "eu-west-3";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private FixedClock _clock = null!;
    private SigV4Verifier _verifier = null!;

    [SetUp]
    public void CreateVerifier()
    {
        _clock = new FixedClock(Now);
        var options = Options.Create(new AwsOptions { Region = Region, AccessKeys = [new AwsAccessKey { AccessKeyId = KeyId, SecretAccessKey = Secret }] });
        _verifier = new SigV4Verifier(options, new SignatureReplayCache(_clock), _clock);
    }

    /// <summary>A request signed the way the AWS SDK signs an ECR call.</summary>
    private static SignableRequest Signed(
        DateTimeOffset at, string body = "{}", string secret = Secret, string region = Region, string service = "ecr",
        string keyId = KeyId, string[]? signedHeaders = null, Action<List<KeyValuePair<string, string>>>? edit = null)
    {
        var date = at.UtcDateTime.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", "127.0.0.1:8080"),
            new("Content-Type", "application/x-amz-json-1.1"),
            new("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"),
            new("X-Amz-Date", date),
        };
        var names = signedHeaders ?? ["content-type", "host", "x-amz-date", "x-amz-target"];
        var request = new SignableRequest("POST", "/", "", headers, Encoding.UTF8.GetBytes(body));
        var signature = SigV4Signer.Sign(request, names, secret, at, region, service);
        headers.Add(new("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{date[..8]}/{region}/{service}/aws4_request, SignedHeaders={string.Join(';', names)}, Signature={signature}"));
        edit?.Invoke(headers);
        return request;
    }

    private string VerifyEcr(SignableRequest request) => _verifier.Verify(request, "ecr");

    private string ErrorOf(SignableRequest request) => Assert.Throws<AwsApiException>(() => VerifyEcr(request))!.Type;

    [Test]
    public void A_correctly_signed_request_names_its_access_key() =>
        Assert.That(VerifyEcr(Signed(Now)), Is.EqualTo(KeyId));

    [Test]
    public void No_authorization_header_is_a_missing_authentication_token() =>
        Assert.That(ErrorOf(Signed(Now, edit: h => h.RemoveAll(p => p.Key == "Authorization"))), Is.EqualTo("MissingAuthenticationTokenException"));

    [Test]
    public void A_wrong_secret_or_a_changed_body_does_not_match()
    {
        Assert.That(ErrorOf(Signed(Now, secret: "wrong")), Is.EqualTo("InvalidSignatureException"));
        var tampered = Signed(Now.AddSeconds(1));
        Assert.That(ErrorOf(tampered with { Body = Encoding.UTF8.GetBytes("{\"repositoryNames\":[\"x\"]}") }), Is.EqualTo("InvalidSignatureException"));
        var retargeted = Signed(Now.AddSeconds(2), edit: h =>
        {
            h.RemoveAll(p => p.Key == "X-Amz-Target");
            h.Add(new("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.PutRegistryScanningConfiguration"));
        });
        Assert.That(ErrorOf(retargeted), Is.EqualTo("InvalidSignatureException"), "a signed header cannot be changed");
    }

    [Test]
    public void An_unknown_access_key_or_a_session_token_is_unrecognized()
    {
        Assert.That(ErrorOf(Signed(Now, keyId: "AKIANOTCONFIGURED")), Is.EqualTo("UnrecognizedClientException"));
        Assert.That(ErrorOf(Signed(Now, edit: h => h.Add(new("X-Amz-Security-Token", "session")))), Is.EqualTo("UnrecognizedClientException"));
    }

    [Test]
    public void Requests_outside_five_minutes_of_our_clock_are_expired_or_not_yet_current()
    {
        var old = Assert.Throws<AwsApiException>(() => VerifyEcr(Signed(Now.AddMinutes(-5).AddSeconds(-1))))!;
        var future = Assert.Throws<AwsApiException>(() => VerifyEcr(Signed(Now.AddMinutes(5).AddSeconds(1))))!;
        Assert.Multiple(() =>
        {
            Assert.That(old.Type, Is.EqualTo("InvalidSignatureException"));
            Assert.That(old.Message, Does.StartWith("Signature expired: 20261128T055459Z is now earlier than 20261128T055500Z"));
            Assert.That(future.Type, Is.EqualTo("InvalidSignatureException"));
            Assert.That(future.Message, Does.StartWith("Signature not yet current"));
            Assert.That(VerifyEcr(Signed(Now.AddMinutes(-5))), Is.EqualTo(KeyId), "exactly at the bound is accepted");
            Assert.That(VerifyEcr(Signed(Now.AddMinutes(5))), Is.EqualTo(KeyId));
        });
    }

    [Test]
    public void A_replayed_signature_is_refused_within_the_window()
    {
        var request = Signed(Now);
        VerifyEcr(request);
        var replay = Assert.Throws<AwsApiException>(() => VerifyEcr(request))!;
        Assert.That(replay.Type, Is.EqualTo("InvalidSignatureException"));
        Assert.That(replay.Message, Does.Contain("already received"));
        _clock.Now = Now.AddMinutes(6);
        Assert.That(ErrorOf(request), Is.EqualTo("InvalidSignatureException"), "later, the same request is simply expired");
        Assert.That(ErrorOf(Signed(Now.AddSeconds(10), secret: "wrong")), Is.EqualTo("InvalidSignatureException"));
    }

    [Test]
    public void Missing_or_malformed_signature_parts_are_incomplete()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(Signed(Now, edit: h => h.RemoveAll(p => p.Key == "X-Amz-Date"))), Is.EqualTo("IncompleteSignatureException"));
            Assert.That(ErrorOf(Signed(Now, edit: h => Replace(h, "Authorization", a => a.Replace(", Signature=", ", Sig=")))),
                Is.EqualTo("IncompleteSignatureException"));
            Assert.That(ErrorOf(Signed(Now, edit: h => Replace(h, "Authorization", a => a.Replace("/aws4_request", "")))),
                Is.EqualTo("IncompleteSignatureException"));
            Assert.That(ErrorOf(Signed(Now, edit: h => Replace(h, "Authorization", _ => "Bearer token"))), Is.EqualTo("IncompleteSignatureException"));
        });
    }

    [Test]
    public void Host_and_date_must_be_signed_and_the_scope_must_be_ours()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(Signed(Now, signedHeaders: ["content-type", "x-amz-date"])), Is.EqualTo("InvalidSignatureException"));
            Assert.That(ErrorOf(Signed(Now, signedHeaders: ["content-type", "host"])), Is.EqualTo("InvalidSignatureException"));
            Assert.That(ErrorOf(Signed(Now, region: "us-east-1")), Is.EqualTo("InvalidSignatureException"));
            Assert.That(ErrorOf(Signed(Now, service: "s3")), Is.EqualTo("InvalidSignatureException"));
        });
    }

    private static void Replace(List<KeyValuePair<string, string>> headers, string name, Func<string, string> change)
    {
        var index = headers.FindIndex(p => p.Key == name);
        headers[index] = new(name, change(headers[index].Value));
    }
}
