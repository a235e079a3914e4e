using System.Xml;
using System.Xml.Linq;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.AmazonLinux;

/// <summary>One &lt;package&gt; of an update's pkglist, attributes as written (any may be missing).</summary>
public sealed record UpdateInfoPackage(string? Name, string? Epoch, string? Version, string? Release, string? Arch);

/// <summary>One &lt;reference&gt;: <c>type="cve"</c> ones carry the CVE id.</summary>
public sealed record UpdateInfoReference(string? Id, string? Type, string? Href);

/// <summary>One &lt;update&gt; of a yum updateinfo.xml, fields as written (any may be missing).</summary>
public sealed record UpdateInfoUpdate(
    string? Id, string? Type, string? Title, string? Issued, string? Updated, string? Severity, string? Description,
    IReadOnlyList<UpdateInfoReference> References, IReadOnlyList<UpdateInfoPackage> Packages);

/// <summary>
/// Reads a yum repository's updateinfo.xml (gzip-compressed, as repomd.xml points at it, or plain):
/// <c>&lt;updates&gt;&lt;update type status&gt;&lt;id/&gt;&lt;title/&gt;&lt;issued date/&gt;&lt;updated date/&gt;&lt;severity/&gt;
/// &lt;description/&gt;&lt;references&gt;&lt;reference id type href/&gt;…&lt;/references&gt;&lt;pkglist&gt;&lt;collection&gt;
/// &lt;package name epoch version release arch&gt;…</c>. The file comes from the network, so the reader refuses DTDs
/// (no entity expansion, no external entities) and caps the document's size, which also bounds a gzip bomb.
/// </summary>
public static class UpdateInfoDocument
{
    /// <summary>Larger than any real updateinfo.xml (Amazon Linux 2's is about 60 MB uncompressed).</summary>
    public const long MaxCharacters = 1L << 30;

    public static XmlReaderSettings HardenedSettings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = MaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
    };

    /// <summary>The updates, or the reason the file could not be read (not XML, a DTD, truncated gzip...).</summary>
    /// <param name="content">Seekable (its first bytes tell gzip and bzip2 from plain XML); left open.</param>
    public static (IReadOnlyList<UpdateInfoUpdate> Updates, string? Error) Read(Stream content, CancellationToken ct = default)
    {
        var updates = new List<UpdateInfoUpdate>();
        try
        {
            using var input = FeedCompression.DecompressSniffed(new NonClosingStream(content));
            using var reader = XmlReader.Create(input, HardenedSettings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "updates")
                return ([], $"the root element is <{reader.LocalName}>, not <updates>");
            if (reader.IsEmptyElement) return ([], null);
            reader.Read();
            while (!reader.EOF && reader.Depth >= 1)
            {
                ct.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName == "update")
                    updates.Add(UpdateOf((XElement)XNode.ReadFrom(reader)));
                else
                    reader.Read();
            }
            return (updates, null);
        }
        catch (Exception e) when (e is XmlException or InvalidDataException or IOException)
        {
            return ([], $"not a readable updateinfo.xml: {e.Message}");
        }
    }

    private static UpdateInfoUpdate UpdateOf(XElement update)
    {
        string? Child(string name) => update.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        string? DateOf(string name) => (string?)update.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Attribute("date");
        var references = update.Elements().Where(e => e.Name.LocalName == "references").Elements()
            .Where(e => e.Name.LocalName == "reference")
            .Select(r => new UpdateInfoReference((string?)r.Attribute("id"), (string?)r.Attribute("type"), (string?)r.Attribute("href")))
            .ToList();
        var packages = update.Elements().Where(e => e.Name.LocalName == "pkglist").Elements()
            .Where(e => e.Name.LocalName == "collection").Elements()
            .Where(e => e.Name.LocalName == "package")
            .Select(p => new UpdateInfoPackage((string?)p.Attribute("name"), (string?)p.Attribute("epoch"),
                (string?)p.Attribute("version"), (string?)p.Attribute("release"), (string?)p.Attribute("arch")))
            .ToList();
        return new UpdateInfoUpdate(Child("id")?.Trim(), (string?)update.Attribute("type"), Child("title")?.Trim(), DateOf("issued"),
            DateOf("updated"), Child("severity")?.Trim(), Child("description"), references, packages);
    }
}
