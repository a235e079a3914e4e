using System.Text;
using ImageScanning.ScanEngine.Images.Aws;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>
/// The signer against AWS's published Signature Version 4 test suite (get-vanilla, post-vanilla, query ordering,
/// post-vanilla-query: credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service"). The expected
/// signatures are AWS's; a single wrong byte in the canonical request, string to sign or key derivation changes them.
/// </summary>
public sealed class SigV4SignerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static SignableRequest Request(string method, string query = "", string body = "") => new(method, "/", query,
        [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")], Encoding.UTF8.GetBytes(body));

    [TestCase("GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", TestName = "get-vanilla")]
    [TestCase("POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", TestName = "post-vanilla")]
    [TestCase("GET", "?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", TestName = "get-vanilla-query-order-key-case")]
    [TestCase("POST", "?Param1=value1", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11", TestName = "post-vanilla-query")]
    public void Signatures_match_the_aws_test_suite(string method, string query, string expected)
    {
        var signature = SigV4Signer.Sign(Request(method, query), ["host", "x-amz-date"], Secret, SuiteTime, "us-east-1", "service");
        Assert.That(signature, Is.EqualTo(expected));
    }

    [Test]
    public void The_canonical_request_of_post_vanilla_is_the_suites()
    {
        var canonical = SigV4Signer.CanonicalRequest(Request("POST"), ["host", "x-amz-date"]);
        Assert.That(canonical, Is.EqualTo(
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    [Test]
    public void Header_values_are_trimmed_and_inner_spaces_collapsed()
    {
        var spaced = Request("GET") with
        {
            Headers = [new("Host", "  example.amazonaws.com "), new("X-Amz-Date", "20150830T123600Z"), new("My-Header1", "value1   value2")],
        };
        var canonical = SigV4Signer.CanonicalRequest(spaced, ["host", "my-header1", "x-amz-date"]);
        Assert.That(canonical, Does.Contain("host:example.amazonaws.com\nmy-header1:value1 value2\n"));
    }
}
