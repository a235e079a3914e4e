using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems.DotNet;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests;

/// <summary>
/// JSON from an image whose strings are not valid UTF-8 (found by the fuzzer: bytes C3 28 8F) used to pass JsonDocument.Parse
/// and then throw InvalidOperationException from GetString() inside the parsers, crashing the CLI (exit 134). It now fails as
/// the JsonException the parsers handle.
/// </summary>
public sealed class UntrustedJsonTests
{
    private static byte[] WithBadString(string before, string after) =>
        [.. Encoding.ASCII.GetBytes(before), 0xC3, 0x28, 0x8F, .. Encoding.ASCII.GetBytes(after)];

    [Test]
    public void A_raw_string_that_is_not_UTF8_fails_as_a_JsonException_naming_its_position()
    {
        var json = WithBadString("{\"name\":\"", "\"}");
        var e = Assert.Throws<JsonException>(() => UntrustedJson.Parse(json));
        Assert.That(e!.Message, Does.Contain("not valid UTF-8").And.Contain("byte 8"));
    }

    [Test]
    public void A_property_name_that_is_not_UTF8_fails_too() =>
        Assert.Throws<JsonException>(() => UntrustedJson.Parse(WithBadString("{\"", "\":1}")));

    [Test]
    public void An_escaped_lone_surrogate_never_reaches_GetString()
    {
        var json = Encoding.ASCII.GetBytes("{\"name\":\"\\ud800x\"}");
        try
        {
            using var document = UntrustedJson.Parse(json);
            Assert.DoesNotThrow(() => document.RootElement.GetProperty("name").GetString(), "accepted only when every string reads");
        }
        catch (JsonException)
        {
            Assert.Pass("refused as JSON that cannot be read");
        }
    }

    [Test]
    public void Valid_documents_with_escapes_and_non_ASCII_text_parse_as_before()
    {
        using var document = UntrustedJson.Parse(Encoding.UTF8.GetBytes("{\"name\":\"caf\u00e9 \\u00e9 \\ud83d\\ude00\",\"k\\u0041\":[1,\"x\"]}"));
        Assert.That(document.RootElement.GetProperty("name").GetString(), Is.EqualTo("caf\u00e9 \u00e9 \U0001F600"));
    }

    [Test]
    public void The_parsers_the_fuzzer_crashed_now_treat_such_a_file_as_unreadable()
    {
        var lockFile = WithBadString("{\"lockfileVersion\":3,\"packages\":{\"node_modules/x\":{\"version\":\"", "\"}}}");
        var deps = WithBadString("{\"libraries\":{\"", "/1.0\":{\"type\":\"package\"}}}");
        Assert.Multiple(() =>
        {
            Assert.That(NpmFinder.ReadInstalled(WithBadString("{\"name\":\"", "\",\"version\":\"1\"}")), Is.Null);
            Assert.Throws<FormatException>(() => NpmLockFileParser.Parse(lockFile));
            Assert.Throws<FormatException>(() => DepsJsonParser.Parse(deps));
        });
    }
}
