using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>
/// Inspector's FilterCriteria between its wire form (camelCase members of the botocore model, timestamps as epoch seconds) and
/// the <see cref="FindingCriteria"/> contract. Findings' FindingCriteriaMatcher decides what it matches.
/// </summary>
public static class Inspector2Criteria
{
    private const int MaxFilters = 10;   // every *FilterList in the model
    private const int MaxValue = 1024;   // StringInput

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false), new EpochSecondsConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The criteria of a request member; ValidationException naming <paramref name="member"/> when they break the model.</summary>
    public static FindingCriteria Parse(JsonObject json, string member)
    {
        foreach (var (name, value) in json)
        {
            if (value is not JsonArray list) throw Inspector2Errors.Validation($"{member}.{name} must be a list.", $"{member}.{name}");
            if (list.Count is 0 or > MaxFilters)
                throw Inspector2Errors.Validation($"{member}.{name} must hold 1 to {MaxFilters} filters.", $"{member}.{name}");
        }
        FindingCriteria criteria;
        try
        {
            criteria = json.Deserialize<FindingCriteria>(Json) ?? new FindingCriteria();
        }
        catch (JsonException e)
        {
            throw Inspector2Errors.Validation($"{member} could not be read: {e.Message}", member);
        }
        if (StringFilters(criteria).FirstOrDefault(f => f.Value.Length is 0 or > MaxValue) is { } bad)
            throw Inspector2Errors.Validation($"A string filter value in {member} must be 1 to {MaxValue} characters, not '{bad.Value}'.", member);
        return criteria;
    }

    /// <summary>The criteria as Inspector shows them (ListFilters' <c>criteria</c>): only the members that are set.</summary>
    public static JsonObject Render(FindingCriteria criteria) => (JsonObject)JsonSerializer.SerializeToNode(criteria, Json)!;

    /// <summary>The REST API's suppression filter in Inspector's terms, for ListFilters (Findings still matches the filter itself).</summary>
    public static FindingCriteria FromSuppressionFilter(SuppressionFilter filter)
    {
        static IReadOnlyList<StringFilter>? Eq(IEnumerable<string>? values) =>
            values?.Select(v => new StringFilter(StringFilterComparison.EQUALS, v)).ToList() is { Count: > 0 } list ? list : null;
        IReadOnlyList<StringFilter>? repository = filter.Repository switch
        {
            null => null,
            var r when !r.Contains('*') => [new StringFilter(StringFilterComparison.EQUALS, r)],
            var r when r.IndexOf('*') == r.Length - 1 => [new StringFilter(StringFilterComparison.PREFIX, r[..^1])],
            _ => null, // an ECR wildcard Inspector cannot say; the rule still matches by it
        };
        return new FindingCriteria(
            Severity: Eq(filter.Severities?.Select(s => s == FindingSeverity.UNDEFINED ? nameof(FindingSeverity.UNTRIAGED) : s.ToString())),
            VulnerabilityId: Eq(filter.VulnerabilityIds),
            VulnerablePackages: filter.PackageNames?.Select(n => new PackageFilter(Name: new StringFilter(StringFilterComparison.EQUALS, n))).ToList() is { Count: > 0 } p ? p : null,
            EcrImageRepositoryName: repository,
            EcrImageHash: Eq(filter.ImageDigest is null ? null : [filter.ImageDigest]),
            FixAvailable: Eq(filter.FixAvailable is null ? null : [filter.FixAvailable.Value.ToString()]));
    }

    private static IEnumerable<StringFilter> StringFilters(FindingCriteria criteria) =>
        typeof(FindingCriteria).GetProperties()
            .Select(p => p.GetValue(criteria))
            .SelectMany(v => v switch
            {
                IReadOnlyList<StringFilter> strings => strings,
                IReadOnlyList<PackageFilter> packages => packages.SelectMany(p =>
                    new[] { p.Name, p.Version, p.Release, p.Architecture, p.SourceLayerHash, p.SourceLambdaLayerArn, p.FilePath }.OfType<StringFilter>()),
                _ => [],
            });

    /// <summary>REST-JSON timestamps: epoch seconds (a number, possibly with a fraction); ISO 8601 strings are accepted too.</summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Number => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(reader.GetDouble() * 1000)),
            JsonTokenType.String when DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
            _ => throw new JsonException("A timestamp must be epoch seconds."),
        };

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);
    }
}
