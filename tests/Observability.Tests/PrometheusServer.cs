using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ImageScanning.EndToEnd.Tests;

namespace ImageScanning.Observability.Tests;

/// <summary>Debian's real Prometheus on a free loopback port, with a generated configuration and its own data directory.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    public Uri Url { get; }

    private PrometheusServer(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Output => string.Join(Environment.NewLine, _output);

    public static async Task<PrometheusServer> StartAsync(string configuration)
    {
        var directory = Directory.CreateTempSubdirectory("imagescanning-prometheus-").FullName;
        var configPath = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, configuration);
        var url = new Uri($"http://127.0.0.1:{PlatformProcess.FreePort()}");
        var start = new ProcessStartInfo("prometheus",
        [
            "--config.file=" + configPath, "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            "--web.listen-address=" + url.Authority, "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start prometheus.");
        var server = new PrometheusServer(process, directory, url);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            try
            {
                if ((await _http.GetAsync("/-/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"prometheus was not ready within {timeout}:{Environment.NewLine}{Output}");
    }

    /// <summary>An instant query through the HTTP API: the result array, or the error Prometheus gave.</summary>
    public async Task<QueryOutcome> QueryAsync(string promQl)
    {
        using var response = await _http.PostAsync("/api/v1/query", new FormUrlEncodedContent([new("query", promQl)]));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>() ?? throw new InvalidOperationException("Prometheus answered with no body.");
        return (string?)body["status"] == "success"
            ? new QueryOutcome(body["data"]!["result"]!.AsArray(), null)
            : new QueryOutcome(new JsonArray(), $"{body["errorType"]}: {body["error"]}");
    }

    /// <summary>The scrape targets' health, as Prometheus sees them.</summary>
    public async Task<IReadOnlyList<(string Job, string Health, string LastError)>> TargetsAsync()
    {
        var body = await _http.GetFromJsonAsync<JsonObject>("/api/v1/targets");
        return body!["data"]!["activeTargets"]!.AsArray()
            .Select(t => ((string)t!["labels"]!["job"]!, (string)t["health"]!, (string?)t["lastError"] ?? ""))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

public sealed record QueryOutcome(JsonArray Result, string? Error);
