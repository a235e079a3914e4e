using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>What one run of the AWS CLI gave: exit code, output, the JSON it printed and the AWS error code it reported.</summary>
public sealed partial record AwsCliResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The printed JSON (<c>--output json</c>); null when the operation printed nothing (an empty response).</summary>
    public JsonNode? Json { get; } = string.IsNullOrWhiteSpace(StandardOutput) ? null : JsonNode.Parse(StandardOutput);

    /// <summary>The error code of "An error occurred (Code) when calling the Op operation: …", or null.</summary>
    public string? ErrorCode => ErrorLine().Match(StandardError) is { Success: true } m ? m.Groups[1].Value : null;

    public override string ToString() => $"{Command} → exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    [GeneratedRegex(@"An error occurred \(([^)]+)\) when calling the \w+ operation")]
    private static partial Regex ErrorLine();
}

/// <summary>
/// Debian's AWS CLI v2 (package awscli), always by its full path: a pyenv <c>aws</c> (v1) on PATH must not stand in for it.
/// Every call goes to one endpoint with one region and static keys; no config or credentials file, no instance metadata,
/// no pager, JSON out.
/// </summary>
public sealed class AwsCli(Uri endpoint, string region, string accessKeyId, string secretAccessKey)
{
    public const string Executable = "/usr/bin/aws";

    /// <summary>Why the CLI cannot run here, or null.</summary>
    public static string? Missing() =>
        File.Exists(Executable) ? null : $"{Executable} is missing: install Debian's awscli (tests/run.sh's requirements)";

    public async Task<AwsCliResult> RunAsync(params string[] arguments)
    {
        List<string> args = [.. arguments, "--endpoint-url", endpoint.ToString().TrimEnd('/'), "--region", region, "--output", "json", "--no-cli-pager"];
        var result = await ProcessRunner.RunAsync(Executable, args, TimeSpan.FromMinutes(2), environment: new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = accessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = secretAccessKey,
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_PAGER"] = "",
        }, throwOnError: false);
        return new AwsCliResult(result.Command, result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>Runs and asserts success; the printed JSON object (empty for an empty response).</summary>
    public async Task<JsonObject> OkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        return result.Json?.AsObject() ?? [];
    }
}
