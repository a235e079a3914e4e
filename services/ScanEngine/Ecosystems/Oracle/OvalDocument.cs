using System.Xml;
using System.Xml.Linq;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.Oracle;

/// <summary>A &lt;criterion&gt;: the test it points at and its comment ("openssl is earlier than 1:1.1.1k-12.el8_9").</summary>
public sealed record OvalCriterion(string? TestRef, string? Comment, bool Negated);

/// <summary>A metadata &lt;reference source ref_id ref_url&gt; ("elsa" / "CVE").</summary>
public sealed record OvalReference(string? Source, string? RefId, string? RefUrl);

/// <summary>
/// One &lt;definition&gt;, flattened: every &lt;criterion&gt; anywhere under its &lt;criteria&gt; tree (the AND/OR structure of an
/// ELSA is "release installed AND [arch AND] OR(package earlier AND package signed)", so the flat list loses nothing a
/// package-and-version key can use).
/// </summary>
public sealed record OvalDefinition(
    string? Id, string? Class, string? Title, string? Description, string? Severity, string? Issued,
    IReadOnlyList<OvalReference> References, IReadOnlyList<string> AdvisoryCves, IReadOnlyList<OvalCriterion> Criteria, bool HasNegatedCriteria);

/// <summary>An &lt;rpminfo_test&gt;: its object and states.</summary>
public sealed record OvalTest(string? ObjectRef, IReadOnlyList<string> StateRefs);

/// <summary>An &lt;rpminfo_state&gt;'s fields that matter here (each with its operation).</summary>
public sealed record OvalState(string? Evr, string? EvrOperation, string? EvrDatatype, string? Version, string? VersionOperation, string? Arch);

/// <summary>
/// An OVAL 5 definitions document (oval-definitions-5 schema) as Oracle publishes its ELSA errata:
/// <c>&lt;oval_definitions&gt;&lt;definitions&gt;&lt;definition id class&gt;&lt;metadata&gt;…&lt;/metadata&gt;&lt;criteria&gt;…</c>, then
/// <c>&lt;tests&gt;&lt;rpminfo_test id&gt;&lt;object object_ref/&gt;&lt;state state_ref/&gt;</c>, <c>&lt;objects&gt;&lt;rpminfo_object id&gt;&lt;name/&gt;</c>,
/// <c>&lt;states&gt;&lt;rpminfo_state id&gt;&lt;evr datatype="evr_string" operation="less than"/&gt;</c>. Elements are matched by
/// local name (the linux-def namespace is declared per element). Read in one streaming pass holding only what the
/// conversion needs; DTDs refused (no entity expansion, no external entities) and the size capped, as the file comes
/// from the network.
/// </summary>
public sealed class OvalDocument
{
    public const long MaxCharacters = 4L << 30;

    public List<OvalDefinition> Definitions { get; } = [];
    public Dictionary<string, OvalTest> Tests { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ObjectNames { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, OvalState> States { get; } = new(StringComparer.Ordinal);

    private static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = MaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
    };

    /// <summary>
    /// The document, or the reason it could not be read (not XML, a DTD, a bad bzip2 or gzip stream, another root element...).
    /// The stream must be seekable (its first bytes tell bzip2 and gzip from plain XML); it is left open.
    /// </summary>
    public static (OvalDocument? Document, string? Error) Read(Stream content, CancellationToken ct = default)
    {
        var input = FeedCompression.DecompressSniffed(content, leaveOpen: true);
        try
        {
            using var reader = XmlReader.Create(input, Settings); // CloseInput is false: the caller's stream stays open
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "oval_definitions")
                return (null, $"the root element is <{reader.LocalName}>, not <oval_definitions>");
            var document = new OvalDocument();
            if (reader.IsEmptyElement) return (document, null);
            reader.Read();
            string? section = null;
            while (!reader.EOF && reader.Depth >= 1)
            {
                ct.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
                {
                    section = reader.LocalName;
                    if (section is not ("definitions" or "tests" or "objects" or "states") || reader.IsEmptyElement) { reader.Skip(); continue; }
                    reader.Read();
                    continue;
                }
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2)
                {
                    document.Add(section, (XElement)XNode.ReadFrom(reader));
                    continue;
                }
                reader.Read();
            }
            return (document, null);
        }
        catch (Exception e) when (e is XmlException or InvalidDataException or IOException)
        {
            return (null, $"not a readable OVAL definitions file: {e.Message}");
        }
        finally
        {
            if (!ReferenceEquals(input, content)) input.Dispose();
        }
    }

    private void Add(string? section, XElement element)
    {
        var id = (string?)element.Attribute("id");
        switch (section, element.Name.LocalName)
        {
            case ("definitions", "definition"):
                Definitions.Add(DefinitionOf(element, id));
                break;
            case ("tests", "rpminfo_test") when id is not null:
                Tests[id] = new OvalTest((string?)Child(element, "object")?.Attribute("object_ref"),
                    Children(element, "state").Select(s => (string?)s.Attribute("state_ref")).OfType<string>().ToList());
                break;
            case ("objects", "rpminfo_object") when id is not null && Child(element, "name")?.Value.Trim() is { Length: > 0 } name:
                ObjectNames[id] = name;
                break;
            case ("states", "rpminfo_state") when id is not null:
                var evr = Child(element, "evr");
                var version = Child(element, "version");
                States[id] = new OvalState(evr?.Value.Trim(), (string?)evr?.Attribute("operation"), (string?)evr?.Attribute("datatype"),
                    version?.Value.Trim(), (string?)version?.Attribute("operation"), Child(element, "arch")?.Value.Trim());
                break;
        }
    }

    private static OvalDefinition DefinitionOf(XElement definition, string? id)
    {
        var metadata = Child(definition, "metadata");
        var advisory = metadata is null ? null : Child(metadata, "advisory");
        var criteria = Child(definition, "criteria");
        var criterions = criteria?.Descendants().Where(e => e.Name.LocalName == "criterion")
            .Select(c => new OvalCriterion((string?)c.Attribute("test_ref"), (string?)c.Attribute("comment"), IsNegated(c)))
            .ToList() ?? [];
        var negated = criteria is not null && (IsNegated(criteria) || criteria.Descendants().Any(IsNegated));
        return new OvalDefinition(
            id, (string?)definition.Attribute("class"),
            metadata is null ? null : Child(metadata, "title")?.Value.Trim(),
            metadata is null ? null : Child(metadata, "description")?.Value.Trim(),
            advisory is null ? null : Child(advisory, "severity")?.Value.Trim(),
            advisory is null ? null : (string?)Child(advisory, "issued")?.Attribute("date"),
            metadata is null ? [] : Children(metadata, "reference")
                .Select(r => new OvalReference((string?)r.Attribute("source"), (string?)r.Attribute("ref_id"), (string?)r.Attribute("ref_url"))).ToList(),
            advisory is null ? [] : Children(advisory, "cve").Select(c => c.Value.Trim()).ToList(),
            criterions, negated);
    }

    private static bool IsNegated(XElement e) => string.Equals((string?)e.Attribute("negate"), "true", StringComparison.OrdinalIgnoreCase);

    private static XElement? Child(XElement e, string localName) => e.Elements().FirstOrDefault(c => c.Name.LocalName == localName);

    private static IEnumerable<XElement> Children(XElement e, string localName) => e.Elements().Where(c => c.Name.LocalName == localName);
}
