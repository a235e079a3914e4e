using System.Xml.Linq;

namespace ImageScanning.ScanEngine.Tests.Oracle;

/// <summary>
/// Builds ELSA OVAL documents for the tests. No Oracle OVAL file is in the corpus, so these follow the OVAL 5 definitions
/// schema (oval-definitions-5 and its #linux rpminfo_test / rpminfo_object / rpminfo_state) in the layout Oracle publishes
/// at linux.oracle.com/security/oval: a class="patch" definition per ELSA with metadata (title "ELSA-…:  … (SEVERITY)",
/// elsa and CVE references, advisory severity/issued/cve) and criteria "Oracle Linux N is installed" AND OR(per arch:
/// "Oracle Linux arch is ARCH" AND OR(per package: "PKG is earlier than EVR" AND "PKG is signed with the Oracle Linux N key")).
/// </summary>
internal static class OracleOvalSample
{
    public static readonly XNamespace Oval = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
    public static readonly XNamespace Common = "http://oval.mitre.org/XMLSchema/oval-common-5";
    public static readonly XNamespace Linux = "http://oval.mitre.org/XMLSchema/oval-definitions-5#linux";

    public sealed record OvalPackage(string Name, string Evr, string Arch = "x86_64", string Operation = "less than");

    public sealed record Definition(string Elsa, string Release, string Severity, string[] Cves, OvalPackage[] Packages, string Class = "patch", string? Title = null);

    public static string Build(params Definition[] definitions)
    {
        var tests = new List<XElement>();
        var objects = new List<XElement>();
        var states = new List<XElement>();
        var serial = 0;
        string Next(string kind, string number) => $"oval:com.oracle.elsa:{kind}:{number}{++serial:000}";

        XElement Test(string number, string comment, string objectRef, string stateRef) => new(Linux + "rpminfo_test",
            new XAttribute("check", "at least one"), new XAttribute("comment", comment), new XAttribute("id", Next("tst", number)), new XAttribute("version", "501"),
            new XElement(Linux + "object", new XAttribute("object_ref", objectRef)), new XElement(Linux + "state", new XAttribute("state_ref", stateRef)));
        string Object(string number, string name)
        {
            var id = Next("obj", number);
            objects.Add(new XElement(Linux + "rpminfo_object", new XAttribute("id", id), new XAttribute("version", "501"), new XElement(Linux + "name", name)));
            return id;
        }
        string State(string number, XElement field)
        {
            var id = Next("ste", number);
            states.Add(new XElement(Linux + "rpminfo_state", new XAttribute("id", id), new XAttribute("version", "501"), field));
            return id;
        }
        XElement Criterion(string number, string comment, string objectRef, string stateRef)
        {
            var test = Test(number, comment, objectRef, stateRef);
            tests.Add(test);
            return new XElement(Oval + "criterion", new XAttribute("test_ref", (string)test.Attribute("id")!), new XAttribute("comment", comment));
        }

        var defs = definitions.Select(d =>
        {
            var number = d.Elsa.Replace("ELSA-", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
            var release = Object(number, "oraclelinux-release");
            var installed = Criterion(number, $"Oracle Linux {d.Release} is installed", release,
                State(number, new XElement(Linux + "version", new XAttribute("operation", "pattern match"), "^" + d.Release)));
            var key = State(number, new XElement(Linux + "signature_keyid", new XAttribute("operation", "equals"), "bc4d06a08d8b756f"));
            var perArch = d.Packages.GroupBy(p => p.Arch).Select(arch => new XElement(Oval + "criteria", new XAttribute("operator", "AND"),
                Criterion(number, $"Oracle Linux arch is {arch.Key}", release,
                    State(number, new XElement(Linux + "arch", new XAttribute("operation", "pattern match"), arch.Key))),
                new XElement(Oval + "criteria", new XAttribute("operator", "OR"), arch.Select(p =>
                {
                    var pkg = Object(number, p.Name);
                    return new XElement(Oval + "criteria", new XAttribute("operator", "AND"),
                        Criterion(number, $"{p.Name} is earlier than {p.Evr}", pkg,
                            State(number, new XElement(Linux + "evr", new XAttribute("datatype", "evr_string"), new XAttribute("operation", p.Operation), p.Evr))),
                        Criterion(number, $"{p.Name} is signed with the Oracle Linux {d.Release} key", pkg, key));
                }))));
            return new XElement(Oval + "definition", new XAttribute("id", "oval:com.oracle.elsa:def:" + number), new XAttribute("version", "501"), new XAttribute("class", d.Class),
                new XElement(Oval + "metadata",
                    new XElement(Oval + "title", d.Title ?? $"\n{d.Elsa}:  {d.Packages[0].Name} security update ({d.Severity})\n"),
                    new XElement(Oval + "affected", new XAttribute("family", "unix"), new XElement(Oval + "platform", "Oracle Linux " + d.Release)),
                    new XElement(Oval + "reference", new XAttribute("source", "elsa"), new XAttribute("ref_id", d.Elsa), new XAttribute("ref_url", $"https://linux.oracle.com/errata/{d.Elsa}.html")),
                    d.Cves.Select(c => new XElement(Oval + "reference", new XAttribute("source", "CVE"), new XAttribute("ref_id", c), new XAttribute("ref_url", $"https://linux.oracle.com/cve/{c}.html"))),
                    new XElement(Oval + "description", $"[{d.Packages[0].Evr}]\n- fix {string.Join(", ", d.Cves)}"),
                    new XElement(Oval + "advisory",
                        new XElement(Oval + "severity", d.Severity),
                        new XElement(Oval + "rights", "Copyright 2024 Oracle, Inc."),
                        new XElement(Oval + "issued", new XAttribute("date", "2024-03-13")),
                        d.Cves.Select(c => new XElement(Oval + "cve", new XAttribute("href", $"https://linux.oracle.com/cve/{c}.html"), new XAttribute("share", "yes"), c)))),
                new XElement(Oval + "criteria", new XAttribute("operator", "AND"), installed,
                    new XElement(Oval + "criteria", new XAttribute("operator", "OR"), perArch)));
        }).ToList();

        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement(Oval + "oval_definitions",
            new XAttribute(XNamespace.Xmlns + "oval", Common), new XAttribute(XNamespace.Xmlns + "red-def", Linux),
            new XElement(Oval + "generator",
                new XElement(Common + "product_name", "Oracle Errata OVAL Definitions"),
                new XElement(Common + "product_version", "1.0"),
                new XElement(Common + "schema_version", "5.3"),
                new XElement(Common + "timestamp", "2024-03-14T04:00:00")),
            new XElement(Oval + "definitions", defs),
            new XElement(Oval + "tests", tests),
            new XElement(Oval + "objects", objects),
            new XElement(Oval + "states", states)));
        return document.Declaration + "\n" + document.Root;
    }
}
