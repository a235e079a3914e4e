using ImageScanning.Contracts;
using ImageScanning.Gateway.Harbor;
using Microsoft.Extensions.Configuration;

namespace ImageScanning.Services.Tests.Gateway.Harbor;

/// <summary>The small mappings the Scanner API relies on: severities to the spec's scale, media type matching, Harbor's registry URLs.</summary>
public sealed class HarborMappingTests
{
    [TestCase(FindingSeverity.CRITICAL, "Critical")]
    [TestCase(FindingSeverity.HIGH, "High")]
    [TestCase(FindingSeverity.MEDIUM, "Medium")]
    [TestCase(FindingSeverity.LOW, "Low")]
    [TestCase(FindingSeverity.INFORMATIONAL, "Negligible")]
    [TestCase(FindingSeverity.UNDEFINED, "Unknown")]
    [TestCase(FindingSeverity.UNTRIAGED, "Unknown")]
    public void Every_platform_severity_has_its_place_on_the_spec_scale(FindingSeverity severity, string expected)
    {
        var schemaEnum = HarborSpec.Load("1.2").Document["components"]!["schemas"]!["Severity"]!["enum"]!.AsArray().Select(e => (string?)e);
        Assert.That(HarborSeverity.Of(severity), Is.EqualTo(expected));
        Assert.That(schemaEnum, Does.Contain(expected));
    }

    [Test]
    public void A_report_severity_is_its_worst_vulnerability_and_Unknown_without_any()
    {
        Assert.That(HarborSeverity.Highest([FindingSeverity.LOW, FindingSeverity.UNTRIAGED, FindingSeverity.HIGH]), Is.EqualTo("High"));
        Assert.That(HarborSeverity.Highest([]), Is.EqualTo("Unknown"));
    }

    [TestCase("application/vnd.security.vulnerability.report; version=1.1", true)]
    [TestCase("application/vnd.security.vulnerability.report;version=1.1", true)]
    [TestCase("application/vnd.security.vulnerability.report; version=\"1.1\"", true)]
    [TestCase("Application/Vnd.Security.Vulnerability.Report; version=1.1", true)]
    [TestCase("application/vnd.security.vulnerability.report; version=1.0", false)]
    [TestCase("application/vnd.security.vulnerability.report", false)]
    [TestCase("application/json", false)]
    public void Media_types_match_by_type_and_version(string candidate, bool matches) =>
        Assert.That(HarborMediaTypes.Matches(candidate, HarborMediaTypes.SecurityReportV11), Is.EqualTo(matches));

    [TestCase("http://registry.local:5000", "local")]
    [TestCase("HTTP://Registry.Local:5000/", "local")]
    [TestCase("http://registry.local:5000/v2/", "local")]
    [TestCase("https://registry.local:5000", null)]
    [TestCase("http://registry.local:5001", null)]
    [TestCase("https://harbor.example.org", "local")]
    [TestCase("https://harbor.example.org:443", "local")]
    [TestCase("http://other:5000", null)]
    [TestCase("not a url", null)]
    [TestCase("ftp://registry.local:5000", null)]
    public void Harbor_registry_url_maps_to_a_configured_registry_by_origin(string url, string? expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = "local",
            ["Registries:0:Url"] = "http://registry.local:5000",
            ["Registries:1:Name"] = "private",
            ["Registries:1:Url"] = "http://other:5000",
        }).Build();
        var options = new HarborOptions
        {
            Registries = ["local"], // "private" is not Harbor's to scan
            RegistryUrls = [new HarborRegistryUrl { Url = "https://harbor.example.org", Registry = "local" },
                new HarborRegistryUrl { Url = "https://other-alias.example.org", Registry = "private" }],
        };
        var registries = new HarborRegistries(configuration, Microsoft.Extensions.Options.Options.Create(options));
        Assert.That(registries.Resolve(url), Is.EqualTo(expected));
        Assert.That(registries.Resolve("https://other-alias.example.org"), Is.Null, "an alias of a registry Harbor may not use");
        Assert.That(registries.IsAllowed("private"), Is.False);
    }
}
