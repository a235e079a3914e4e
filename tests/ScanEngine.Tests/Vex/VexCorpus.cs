using ImageScanning.ScanEngine.Vex;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>The corpus's VEX documents (OpenVEX and CycloneDX from ../shared/corpus/vex, Red Hat's CSAF VEX from native/redhat-vex).</summary>
internal static class VexCorpus
{
    public static byte[] Bytes(string folder, string file) =>
        File.ReadAllBytes(folder == "redhat-vex" ? Corpus.PathOf("native", "redhat-vex", file) : Corpus.PathOf("vex", folder, file));

    public static VexDocument Read(string folder, string file, string? subject = null) => VexDocumentReader.Read(Bytes(folder, file), subject: subject);
}
