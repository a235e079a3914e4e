using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Cvss;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Advisories;

public class Cvss3CalculatorTests
{
    /// <summary>Every distinct (CVSS v3 vector, baseScore) pair in the JSON files below a corpus folder.</summary>
    private static List<(string Vector, double Score, string File)> PublishedScores(string folder)
    {
        var pairs = new List<(string, double, string)>();
        foreach (var file in Directory.EnumerateFiles(Corpus.PathOf(folder), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            Collect(document.RootElement, Path.GetFileName(file), pairs);
        }
        return pairs.DistinctBy(p => (p.Item1, p.Item2)).ToList();
    }

    private static void Collect(JsonElement element, string file, List<(string, double, string)> pairs)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("vectorString", out var vector) && vector.ValueKind == JsonValueKind.String
                && vector.GetString()!.StartsWith("CVSS:3", StringComparison.Ordinal)
                && element.TryGetProperty("baseScore", out var score) && score.ValueKind == JsonValueKind.Number)
                pairs.Add((vector.GetString()!, score.GetDouble(), file));
            foreach (var property in element.EnumerateObject()) Collect(property.Value, file, pairs);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) Collect(item, file, pairs);
        }
    }

    [Test]
    public void Computes_the_score_NVD_published_for_every_v3_vector_of_the_NVD_corpus()
    {
        var published = PublishedScores(Path.Combine("native", "nvd"));
        Assert.That(published, Has.Count.GreaterThanOrEqualTo(50), "distinct v3 vectors with a baseScore in native/nvd");
        Assert.That(published.Select(p => p.Vector[..8]).Distinct(), Is.EquivalentTo(new[] { "CVSS:3.0", "CVSS:3.1" }));
        var wrong = published
            .Select(p => (p.Vector, p.Score, p.File, Computed: Cvss3Calculator.BaseScore(p.Vector)))
            .Where(p => p.Computed != p.Score)
            .Select(p => $"{p.Vector}: NVD {p.Score}, computed {p.Computed} ({p.File})")
            .ToList();
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void Computes_the_score_of_every_v3_vector_of_the_NVD_1_1_feed()
    {
        var published = PublishedScores(Path.Combine("native", "nvd-1.1-feed"));
        Assert.That(published, Is.Not.Empty);
        Assert.That(published.Where(p => Cvss3Calculator.BaseScore(p.Vector) != p.Score).Select(p => p.Vector), Is.Empty);
    }

    [TestCase("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)]
    [TestCase("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [TestCase("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0)]
    [TestCase("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6)]
    [TestCase("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4)]
    [TestCase("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H", 7.8)]
    public void Known_scores(string vector, double expected) =>
        Assert.That(Cvss3Calculator.BaseScore(vector), Is.EqualTo(expected));

    [TestCase("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P")]
    [TestCase("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [TestCase("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H")]
    [TestCase("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [TestCase("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [TestCase("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1")]
    [TestCase("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")]
    [TestCase("")]
    public void Invalid_vectors_are_rejected(string vector)
    {
        Assert.That(Cvss3Calculator.TryBaseScore(vector, out var score), Is.False);
        Assert.That(score, Is.Null);
        Assert.Throws<FormatException>(() => Cvss3Calculator.BaseScore(vector));
    }

    [TestCase(4.00001, 4.1)]
    [TestCase(4.000001, 4.0)] // below 1e-5: floating-point noise, absorbed by design
    [TestCase(3.9999999999, 4.0)]
    [TestCase(4.02, 4.1)]
    [TestCase(4.0, 4.0)]
    public void Roundup_follows_the_v3_1_spec(double input, double expected) =>
        Assert.That(Cvss3Calculator.Roundup(input), Is.EqualTo(expected));

    [TestCase(0.0, Severity.Informational)]
    [TestCase(0.1, Severity.Low)]
    [TestCase(3.9, Severity.Low)]
    [TestCase(4.0, Severity.Medium)]
    [TestCase(6.9, Severity.Medium)]
    [TestCase(7.0, Severity.High)]
    [TestCase(8.9, Severity.High)]
    [TestCase(9.0, Severity.Critical)]
    [TestCase(10.0, Severity.Critical)]
    public void Inspector_bands(double score, Severity expected) =>
        Assert.That(SeverityBands.FromCvss3(score), Is.EqualTo(expected));

    [Test]
    public void Scores_outside_0_to_10_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SeverityBands.FromCvss3(10.1));
}
