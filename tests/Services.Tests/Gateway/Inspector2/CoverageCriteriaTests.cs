using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Inspector2.Coverage;

namespace ImageScanning.Services.Tests.Gateway.Inspector2;

/// <summary>CoverageFilterCriteria against covered resources: EQUALS any of, NOT_EQUALS none of, date ranges inclusive.</summary>
public sealed class CoverageCriteriaTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static CoverageItem Image(string repository, string code, string reason, IReadOnlyList<string> tags, DateTimeOffset? scanned, DateTimeOffset? pulled = null) =>
        new(new CoveredResource("AWS_ECR_CONTAINER_IMAGE", $"local/{repository}@sha256:aa", "local", repository, "sha256:aa", tags,
            ScanType.ENHANCED, ScanFrequency.CONTINUOUS_SCAN, code, reason, scanned, T0, pulled),
            $"arn:aws:ecr:us-west-2:123456789012:repository/{repository}/sha256:aa", "123456789012");

    private static CoverageItem Repository(string repository) =>
        new(new CoveredResource("AWS_ECR_REPOSITORY", $"local/{repository}", "local", repository, null, [], ScanType.ENHANCED, ScanFrequency.SCAN_ON_PUSH,
            "INACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH", null, null), $"arn:aws:ecr:us-west-2:123456789012:repository/{repository}", "123456789012");

    private static CoverageCriteria Parse(string json) => CoverageCriteria.Parse(JsonNode.Parse(json)!.AsObject());

    private static readonly CoverageItem[] Items =
    [
        Image("prod", "ACTIVE", "SUCCESSFUL", ["v1", "latest"], T0, T0.AddDays(2)),
        Image("test", "INACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH", ["v1"], T0.AddDays(-10)),
        Repository("test"),
    ];

    private static IEnumerable<string> Matching(string criteria) =>
        Items.Where(Parse(criteria).Matches).Select(i => $"{i.Resource.ResourceType[8..]}:{i.Resource.Repository}");

    [Test]
    public void Each_member_selects_as_inspector_does()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Matching("""{"resourceType":[{"comparison":"EQUALS","value":"AWS_ECR_CONTAINER_IMAGE"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:prod", "CONTAINER_IMAGE:test" }));
            Assert.That(Matching("""{"scanStatusCode":[{"comparison":"EQUALS","value":"INACTIVE"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:test", "REPOSITORY:test" }));
            Assert.That(Matching("""{"scanStatusReason":[{"comparison":"NOT_EQUALS","value":"SUCCESSFUL"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:test", "REPOSITORY:test" }));
            Assert.That(Matching("""{"ecrRepositoryName":[{"comparison":"EQUALS","value":"prod"},{"comparison":"EQUALS","value":"test"}],"resourceType":[{"comparison":"NOT_EQUALS","value":"AWS_ECR_REPOSITORY"}]}"""),
                Is.EqualTo(new[] { "CONTAINER_IMAGE:prod", "CONTAINER_IMAGE:test" }));
            Assert.That(Matching("""{"ecrImageTags":[{"comparison":"EQUALS","value":"latest"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:prod" }));
            Assert.That(Matching("""{"ecrImageTags":[{"comparison":"NOT_EQUALS","value":"latest"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:test", "REPOSITORY:test" }));
            Assert.That(Matching("""{"resourceId":[{"comparison":"EQUALS","value":"arn:aws:ecr:us-west-2:123456789012:repository/test"}]}"""), Is.EqualTo(new[] { "REPOSITORY:test" }));
            Assert.That(Matching("""{"accountId":[{"comparison":"EQUALS","value":"999999999999"}]}"""), Is.Empty);
            Assert.That(Matching("""{"scanType":[{"comparison":"EQUALS","value":"PACKAGE"}]}"""), Has.Exactly(3).Items);
            Assert.That(Matching($$$"""{"lastScannedAt":[{"startInclusive":{{{T0.ToUnixTimeSeconds()}}}}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:prod" }));
            Assert.That(Matching($$$"""{"imagePulledAt":[{"startInclusive":"2026-11-02T00:00:00Z","endInclusive":"2026-11-03T00:00:00Z"}]}"""), Is.EqualTo(new[] { "CONTAINER_IMAGE:prod" }));
        });
    }

    [Test]
    public void Rendered_resources_have_inspectors_shape()
    {
        var image = CoverageJson.Render(Items[0]);
        var repository = CoverageJson.Render(Items[2]);
        Assert.Multiple(() =>
        {
            Assert.That((string?)image["scanType"], Is.EqualTo("PACKAGE"));
            Assert.That((string?)image["resourceMetadata"]!["ecrRepository"]!["scanFrequency"], Is.EqualTo("CONTINUOUS_SCAN"));
            Assert.That(image["resourceMetadata"]!["ecrImage"]!["tags"]!.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { "v1", "latest" }));
            Assert.That((decimal?)image["resourceMetadata"]!["ecrImage"]!["imagePulledAt"], Is.EqualTo(T0.AddDays(2).ToUnixTimeSeconds()));
            Assert.That((decimal?)image["lastScannedAt"], Is.EqualTo(T0.ToUnixTimeSeconds()));
            Assert.That(repository.AsObject().ContainsKey("lastScannedAt"), Is.False);
            Assert.That(repository["resourceMetadata"]!.AsObject().ContainsKey("ecrImage"), Is.False);
            Assert.That((string?)repository["scanStatus"]!["reason"], Is.EqualTo("SCAN_FREQUENCY_SCAN_ON_PUSH"));
        });
    }
}
