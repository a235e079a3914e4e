using System.Text;
using ImageScanning.ScanEngine.Vex;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>
/// Documents from a registry are written by whoever can push: cut and mangled versions of the corpus's documents must fail as
/// <see cref="VexDocumentException"/> only (the fuzz target "vex" does the same at scale).
/// </summary>
[TestFixture]
public sealed class VexHostileInputTests
{
    private static readonly (string Folder, string File)[] Documents =
    [
        ("openvex", "trivy.openvex.json"), ("openvex", "trivy-oci.openvex.json"), ("cyclonedx", "bom-examples-vex.json"),
        ("cyclonedx", "cisa-case1-vex-affected.json"), ("redhat-vex", "cve-2024-24786-simple.json"),
    ];

    private static void ReadOrRefuse(byte[] content)
    {
        try
        {
            if (VexAttestation.Unwrap(content) is { } document) _ = VexDocumentReader.Read(document);
        }
        catch (VexDocumentException)
        {
        }
    }

    [Test]
    public void Truncated_documents_fail_as_vex_errors_only()
    {
        foreach (var (folder, file) in Documents)
        {
            var bytes = VexCorpus.Bytes(folder, file);
            for (var length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 97))
                Assert.DoesNotThrow(() => ReadOrRefuse(bytes[..length]), $"{file} cut at {length}");
        }
    }

    [Test]
    public void Values_of_the_wrong_type_fail_as_vex_errors_only()
    {
        string[] replacements = ["null", "1", "true", "[]", "{}", "\"\"", "[1,{}]"];
        foreach (var (folder, file) in Documents)
        {
            var text = Encoding.UTF8.GetString(VexCorpus.Bytes(folder, file));
            // Each string value in turn replaced by values of every other JSON type.
            var position = 0;
            for (var n = 0; n < 60 && (position = text.IndexOf(": \"", position + 1, StringComparison.Ordinal)) > 0; n++)
            {
                var end = text.IndexOf('"', position + 3);
                if (end < 0) break;
                foreach (var replacement in replacements)
                {
                    var mangled = text[..(position + 2)] + replacement + text[(end + 1)..];
                    Assert.DoesNotThrow(() => ReadOrRefuse(Encoding.UTF8.GetBytes(mangled)), $"{file} at {position} with {replacement}");
                }
            }
        }
    }

    [Test]
    public void Deep_nesting_and_bad_utf8_are_refused()
    {
        var deep = Encoding.UTF8.GetBytes("{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"x\":" + new string('[', 500) + new string(']', 500) + "}");
        byte[] badUtf8 = [.. "{\"bomFormat\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<VexDocumentException>(() => VexDocumentReader.Read(deep))!.Message, Does.Contain("not valid JSON"));
            Assert.That(Assert.Throws<VexDocumentException>(() => VexDocumentReader.Read(badUtf8))!.Message, Does.Contain("not valid UTF-8"));
        });
    }

    [Test]
    public void An_attestation_of_something_else_is_not_vex()
    {
        var provenance = Encoding.UTF8.GetBytes("""{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","predicate":{}}""");
        var badPayload = Encoding.UTF8.GetBytes("""{"payloadType":"application/vnd.in-toto+json","payload":"%%%"}""");
        Assert.Multiple(() =>
        {
            Assert.That(VexAttestation.Unwrap(provenance), Is.Null);
            Assert.That(Assert.Throws<VexDocumentException>(() => VexAttestation.Unwrap(badPayload))!.Message, Does.Contain("payload is not base64"));
        });
    }
}
