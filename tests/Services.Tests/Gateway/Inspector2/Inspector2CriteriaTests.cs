using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Inspector2;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>FilterCriteria between the wire (the botocore model's members, epoch-second timestamps) and the contract.</summary>
public sealed class Inspector2CriteriaTests
{
    private const string Wire = """
        {"severity":[{"comparison":"EQUALS","value":"CRITICAL"},{"comparison":"EQUALS","value":"HIGH"}],
         "ecrImageRepositoryName":[{"comparison":"PREFIX","value":"team/"}],
         "firstObservedAt":[{"startInclusive":1730455200,"endInclusive":1730541600.5}],
         "inspectorScore":[{"lowerInclusive":7.0}],
         "vulnerablePackages":[{"name":{"comparison":"EQUALS","value":"libssl3"},"epoch":{"lowerInclusive":0,"upperInclusive":0}}],
         "ec2InstanceVpcId":[{"comparison":"NOT_EQUALS","value":"vpc-1"}]}
        """;

    [Test]
    public void The_model_members_parse_into_the_contract_and_render_back_as_sent()
    {
        var json = JsonNode.Parse(Wire)!.AsObject();
        var criteria = Inspector2Criteria.Parse(json, "filterCriteria");
        Assert.Multiple(() =>
        {
            Assert.That(criteria.Severity, Is.EqualTo(new[] { new StringFilter(StringFilterComparison.EQUALS, "CRITICAL"), new StringFilter(StringFilterComparison.EQUALS, "HIGH") }));
            Assert.That(criteria.EcrImageRepositoryName![0].Comparison, Is.EqualTo(StringFilterComparison.PREFIX));
            Assert.That(criteria.FirstObservedAt![0], Is.EqualTo(new DateFilter(DateTimeOffset.Parse("2024-11-01T10:00:00Z"), DateTimeOffset.Parse("2024-11-02T10:00:00.5Z"))));
            Assert.That(criteria.InspectorScore![0], Is.EqualTo(new NumberFilter(7.0)));
            Assert.That(criteria.VulnerablePackages![0].Epoch, Is.EqualTo(new NumberFilter(0, 0)));
            Assert.That(criteria.Ec2InstanceVpcId, Has.Count.EqualTo(1));
            Assert.That(JsonNode.DeepEquals(Inspector2Criteria.Render(criteria), JsonNode.Parse(Wire)), Is.True, Inspector2Criteria.Render(criteria).ToJsonString());
        });
    }

    [TestCase("""{"severity":{"comparison":"EQUALS","value":"HIGH"}}""", "must be a list")]
    [TestCase("""{"severity":[]}""", "1 to 10")]
    [TestCase("""{"severity":[{"comparison":"LIKE","value":"HIGH"}]}""", "could not be read")]
    [TestCase("""{"severity":[{"comparison":"EQUALS"}]}""", "could not be read")]
    [TestCase("""{"severity":[{"comparison":"EQUALS","value":""}]}""", "1 to 1024")]
    [TestCase("""{"noSuchMember":[{"comparison":"EQUALS","value":"x"}]}""", "could not be read")]
    public void Criteria_that_break_the_model_are_a_validation_exception(string json, string message)
    {
        var error = Assert.Throws<Inspector2Exception>(() => Inspector2Criteria.Parse(JsonNode.Parse(json)!.AsObject(), "filterCriteria"))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Type, Is.EqualTo("ValidationException"));
            Assert.That(error.Message, Does.Contain(message));
            Assert.That(error.Field, Does.StartWith("filterCriteria"));
        });
    }

    [Test]
    public void Eleven_filters_in_one_member_are_refused()
    {
        var many = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode)new JsonObject { ["comparison"] = "EQUALS", ["value"] = $"CVE-{i}" }).ToArray());
        Assert.Throws<Inspector2Exception>(() => Inspector2Criteria.Parse(new JsonObject { ["vulnerabilityId"] = many }, "filterCriteria"));
    }

    [Test]
    public void A_rest_suppression_filter_shows_in_inspector_terms()
    {
        var criteria = Inspector2Criteria.FromSuppressionFilter(new SuppressionFilter(
            Severities: [FindingSeverity.UNDEFINED], VulnerabilityIds: ["CVE-2024-6119"], PackageNames: ["libssl3"], Repository: "team/*", FixAvailable: FixAvailable.YES));
        var wildcard = Inspector2Criteria.FromSuppressionFilter(new SuppressionFilter(Repository: "*/api"));
        Assert.Multiple(() =>
        {
            Assert.That(criteria.Severity!.Single().Value, Is.EqualTo("UNTRIAGED"));
            Assert.That(criteria.VulnerabilityId!.Single().Value, Is.EqualTo("CVE-2024-6119"));
            Assert.That(criteria.VulnerablePackages!.Single().Name!.Value, Is.EqualTo("libssl3"));
            Assert.That(criteria.EcrImageRepositoryName!.Single(), Is.EqualTo(new StringFilter(StringFilterComparison.PREFIX, "team/")));
            Assert.That(criteria.FixAvailable!.Single().Value, Is.EqualTo("YES"));
            Assert.That(wildcard.EcrImageRepositoryName, Is.Null, "an ECR wildcard Inspector cannot say");
        });
    }
}
