using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests.Ecr;

namespace ImageScanning.EndToEnd.Tests.Inspector2;

/// <summary>
/// The npm package <c>@aws-sdk/client-inspector2</c> at a pinned version, installed on first use into the test cache, and the
/// node script <c>inspector2-client.js</c> that drives it. Debian's AWS CLI carries an old inspector2 model without
/// BatchGetFindingDetails; the SDK has the current one.
/// </summary>
internal static class AwsSdkInspector2
{
    public const string Version = "3.1085.0";

    public static readonly string CacheDirectory =
        Path.Combine("/var/tmp", "imagescanning-test-cache", $"aws-sdk-client-inspector2-{Version}");

    /// <summary>Why the SDK cannot run here (no node/npm), or null when it is installed.</summary>
    public static async Task<string?> EnsureInstalledAsync()
    {
        if (!AwsSdkEcr.OnPath("node")) return "node is not installed (apt-get install nodejs)";
        if (File.Exists(Path.Combine(CacheDirectory, "node_modules", "@aws-sdk", "client-inspector2", "package.json"))) return null;
        if (!AwsSdkEcr.OnPath("npm")) return "npm is not installed (apt-get install npm)";
        Directory.CreateDirectory(CacheDirectory);
        var (code, _, stderr) = await AwsSdkEcr.RunAsync("npm",
            ["install", "--prefix", CacheDirectory, "--no-audit", "--no-fund", "--silent", $"@aws-sdk/client-inspector2@{Version}"], [], TimeSpan.FromMinutes(8));
        if (code != 0) throw new InvalidOperationException($"npm install @aws-sdk/client-inspector2@{Version} failed ({code}): {stderr}");
        return null;
    }

    /// <summary>Runs inspector2-client.js and returns its results object (one member per call: {ok} or {error:{name,message,status}}).</summary>
    public static async Task<JsonObject> RunScriptAsync(Dictionary<string, string> environment)
    {
        environment["SDK_DIR"] = CacheDirectory;
        var (code, stdout, stderr) = await AwsSdkEcr.RunAsync("node", [ScriptPath()], environment, TimeSpan.FromMinutes(3));
        if (code != 0) throw new InvalidOperationException($"inspector2-client.js exited {code}: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "inspector2-client.js");
}
