using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ImageScanning.TestSupport;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>
/// One service of the platform running as a real process from its build output, configured through
/// environment variables exactly as a deployment would configure it.
/// </summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public string Name { get; }
    public Uri Url { get; }

    private PlatformProcess(string name, Uri url, Process process)
    {
        Name = name;
        Url = url;
        _process = process;
    }

    public static async Task<PlatformProcess> StartAsync(string service, IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        var assembly = Path.Combine(Corpus.RepositoryRoot, "services", service, "bin", BuildConfiguration, "net10.0", $"ImageScanning.{service}.dll");
        if (!File.Exists(assembly)) throw new FileNotFoundException($"Build output of {service} not found; build the solution first.", assembly);
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort()}");

        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // "Urls" outranks a service's appsettings.json; ASPNETCORE_URLS alone would not.
        start.Environment["Urls"] = url.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {service}.");
        var platform = new PlatformProcess(service, url, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) platform._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) platform._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await platform.WaitUntilLiveAsync(TimeSpan.FromSeconds(60));
        return platform;
    }

    public string Output => string.Join(Environment.NewLine, _output);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private async Task WaitUntilLiveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            try
            {
                var response = await http.GetAsync(new Uri(Url, "/health/ready"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout}:{Environment.NewLine}{Output}");
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
