using System.Text;
using System.Text.Json;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>Opaque keyset token: the sort, and the sort value and id of the last finding on the previous page.</summary>
public static class FindingPageToken
{
    public static string Encode(FindingSortField field, SortOrder order, string value, string id)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new[] { field.ToString(), order.ToString(), value, id });
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The (value, id) after which the next page starts.</summary>
    /// <exception cref="ArgumentException">The token is malformed or was issued for another sort.</exception>
    public static (string Value, string Id) Decode(string token, FindingSortField field, SortOrder order)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - base64.Length % 4) % 4), '=');
            var parts = JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
            if (parts is [var f, var o, { } value, { } id] && f == field.ToString() && o == order.ToString()) return (value, id);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
        }
        throw new ArgumentException("The nextToken is invalid or was issued for a different sort.");
    }

    /// <summary>The sortable value of a finding for a field: numbers as invariant integers, text as is.</summary>
    public static string SortValue(FindingRecord f, FindingSortField field) => SortValue(f.ToDetail(), f.Id, field);

    /// <summary>The sortable value of a stored finding's detail; <paramref name="id"/> is its row id (the last part of its ARN).</summary>
    public static string SortValue(FindingDetail f, string id, FindingSortField field) => field switch
    {
        FindingSortField.SEVERITY => FindingRecord.SeverityRank(f.Finding.Severity).ToString(System.Globalization.CultureInfo.InvariantCulture),
        FindingSortField.LAST_OBSERVED_AT => Millis(f.LastObservedAt),
        FindingSortField.FIRST_OBSERVED_AT => Millis(f.FirstObservedAt),
        FindingSortField.UPDATED_AT => Millis(f.UpdatedAt),
        FindingSortField.VULNERABILITY_ID => f.Finding.VulnerabilityId,
        FindingSortField.ECR_IMAGE_REPOSITORY_NAME => f.Image.Repository,
        FindingSortField.FINDING_STATUS => f.Status.ToString(),
        FindingSortField.ECR_IMAGE_REGISTRY => f.Image.Registry,
        FindingSortField.FINDING_ARN => id,
        _ => f.Finding.Package.Name,
    };

    /// <summary>The row id of a finding: its ARN ends with <c>finding/&lt;id&gt;</c>.</summary>
    public static string IdOf(FindingDetail f) => f.FindingArn[(f.FindingArn.LastIndexOf('/') + 1)..];

    /// <summary>A token that resumes right after <paramref name="last"/>.</summary>
    public static string After(FindingDetail last, FindingSortField field, SortOrder order) =>
        Encode(field, order, SortValue(last, IdOf(last), field), IdOf(last));

    public static bool IsNumeric(FindingSortField field) =>
        field is FindingSortField.SEVERITY or FindingSortField.LAST_OBSERVED_AT or FindingSortField.FIRST_OBSERVED_AT or FindingSortField.UPDATED_AT;

    private static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
