using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ImageScanning.TestSupport;

namespace ImageScanning.HostileInput.Tests;

/// <summary>
/// The Standalone service (every service in one process) started from its build output and configured through the
/// environment, as tests/EndToEnd.Tests/PlatformProcess.cs starts it; <see cref="PeakResidentBytes"/> reads its VmHWM.
/// </summary>
public sealed class StandaloneProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public Uri Url { get; }
    public string Output => string.Join(Environment.NewLine, _output);
    public bool HasExited => _process.HasExited;

    private StandaloneProcess(Uri url, IReadOnlyDictionary<string, string> environment)
    {
        Url = url;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var assembly = Path.Combine(Corpus.RepositoryRoot, "services", "Standalone", "bin", configuration, "net10.0", "ImageScanning.Standalone.dll");
        if (!File.Exists(assembly)) Assert.Fail($"{assembly} is missing: the test project builds services/Standalone");
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["Urls"] = url.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static async Task<StandaloneProcess> StartAsync(int port, IReadOnlyDictionary<string, string> environment)
    {
        var process = new StandaloneProcess(new Uri($"http://127.0.0.1:{port}"), environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) Assert.Fail($"Standalone exited with code {process._process.ExitCode}:{Environment.NewLine}{process.Output}");
            try
            {
                if ((await http.GetAsync(new Uri(process.Url, "/health/ready"))).IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        await process.DisposeAsync();
        Assert.Fail("Standalone was not ready within 60 s");
        return null!;
    }

    /// <summary>VmHWM: the most memory the process has held resident since it started.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        return 0;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
