using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Advisories;

/// <summary>Reads OSV records of the shared corpus.</summary>
public static class OsvCorpus
{
    public static string OsvRoot => Corpus.PathOf("osv");

    public static string PathOf(string folder, string id) => Corpus.PathOf("osv", folder, id + ".json");

    public static string Raw(string folder, string id) => File.ReadAllText(PathOf(folder, id));

    public static OsvAdvisory Load(string folder, string id) => OsvParser.Parse(Raw(folder, id));

    public static IEnumerable<string> AllFiles() =>
        Directory.EnumerateFiles(OsvRoot, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
}
