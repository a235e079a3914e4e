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
    private Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private Dictionary<string, string> _environment;

    public string Name { get; }
    public Uri Url { get; }

    private PlatformProcess(string name, Uri url, Dictionary<string, string> environment)
    {
        Name = name;
        Url = url;
        _environment = environment;
        _process = Launch();
    }

    public static async Task<PlatformProcess> StartAsync(string service, IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var platform = new PlatformProcess(service, url, new Dictionary<string, string>(environment));
        try
        {
            await platform.WaitUntilLiveAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
        return platform;
    }

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>): no shutdown, no acknowledgements, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the service again on the same port with the same settings, changed by <paramref name="changes"/> (a null value removes one).</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?>? changes = null)
    {
        await KillAsync();
        _process.Dispose();
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
            if (value is null) environment.Remove(key); else environment[key] = value;
        _environment = environment;
        _output.Enqueue($"----- {Name} restarted at {DateTime.UtcNow:HH:mm:ss.fff} -----");
        _process = Launch();
        await WaitUntilLiveAsync(TimeSpan.FromSeconds(60));
    }

    public bool HasExited => _process.HasExited;

    private Process Launch()
    {
        var assembly = Path.Combine(Corpus.RepositoryRoot, "services", Name, "bin", BuildConfiguration, "net10.0", $"ImageScanning.{Name}.dll");
        if (!File.Exists(assembly)) throw new FileNotFoundException($"Build output of {Name} not found; build the solution first.", assembly);

        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // "Urls" outranks a service's appsettings.json; ASPNETCORE_URLS alone would not.
        start.Environment["Urls"] = Url.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in _environment) start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Name}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
        await KillAsync();
        _process.Dispose();
    }
}
