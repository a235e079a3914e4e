using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ImageScanning.EndToEnd.Tests.Ecr;

/// <summary>
/// The npm package <c>@aws-sdk/client-ecr</c> at a pinned version, installed on first use into the test cache, and the
/// node script <c>ecr-client.js</c> that drives it.
/// </summary>
internal static class AwsSdkEcr
{
    public const string Version = "3.1169.0";

    public static readonly string CacheDirectory =
        Path.Combine("/var/tmp", "imagescanning-test-cache", $"aws-sdk-client-ecr-{Version}");

    /// <summary>Why the SDK cannot run here (no node/npm), or null when it is installed.</summary>
    public static async Task<string?> EnsureInstalledAsync()
    {
        if (!OnPath("node")) return "node is not installed (apt-get install nodejs)";
        if (File.Exists(Path.Combine(CacheDirectory, "node_modules", "@aws-sdk", "client-ecr", "package.json"))) return null;
        if (!OnPath("npm")) return "npm is not installed (apt-get install npm)";
        Directory.CreateDirectory(CacheDirectory);
        var (code, _, stderr) = await RunAsync("npm",
            ["install", "--prefix", CacheDirectory, "--no-audit", "--no-fund", "--silent", $"@aws-sdk/client-ecr@{Version}"], [], TimeSpan.FromMinutes(8));
        if (code != 0) throw new InvalidOperationException($"npm install @aws-sdk/client-ecr@{Version} failed ({code}): {stderr}");
        return null;
    }

    /// <summary>Runs ecr-client.js and returns its results object (one member per step: {ok} or {error:{name,message,status}}).</summary>
    public static async Task<JsonObject> RunScriptAsync(Dictionary<string, string> environment)
    {
        environment["SDK_DIR"] = CacheDirectory;
        var (code, stdout, stderr) = await RunAsync("node", [ScriptPath()], environment, TimeSpan.FromMinutes(6));
        if (code != 0) throw new InvalidOperationException($"ecr-client.js exited {code}: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "ecr-client.js");

    internal static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, command)));

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(
        string file, IReadOnlyList<string> arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}. {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
