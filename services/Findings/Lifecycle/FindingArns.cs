using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>Inspector finding ARNs: arn:aws:inspector2:&lt;region&gt;:&lt;account&gt;:finding/&lt;32 hex&gt; (Aws:AccountId, Aws:Region).</summary>
public sealed class FindingArns(AwsAccount account)
{
    public static string NewId() => Guid.NewGuid().ToString("N");

    public string For(string id) => account.FindingArn(id);

    /// <summary>The account the ARNs name (what filter criteria compare account, registry and resource ids with).</summary>
    public AwsAccount Account => account;
}
