using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ImageScanning.TestSupport;

/// <summary>Where a <see cref="RegistryServer"/> sends its push notifications.</summary>
public sealed record RegistryNotificationEndpoint(Uri Url)
{
    public string Name { get; init; } = "scanner";

    /// <summary>Static headers on every notification, e.g. Authorization: Bearer secret.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures before the registry backs off.</summary>
    public int Threshold { get; init; } = 3;

    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Actions not sent; by default none, so pushes, pulls (they keep images in their re-scan window) and deletes arrive.</summary>
    public IReadOnlyList<string> IgnoredActions { get; init; } = [];

    /// <summary>Media types not sent; by default blob events (application/octet-stream) are dropped, so manifest events arrive.</summary>
    public IReadOnlyList<string> IgnoredMediaTypes { get; init; } = ["application/octet-stream"];
}

/// <summary>Distribution token auth: the registry accepts JWTs signed by a key whose certificate is in the bundle.</summary>
public sealed record RegistryTokenAuth(string Realm, string Service, string Issuer, string RootCertificateBundlePem);

public sealed record RegistryServerOptions
{
    public RegistryNotificationEndpoint? Notifications { get; init; }

    /// <summary>Users for htpasswd basic auth (user to password); null for an open registry.</summary>
    public IReadOnlyDictionary<string, string>? BasicAuthUsers { get; init; }

    public RegistryTokenAuth? TokenAuth { get; init; }
}

/// <summary>One request as the registry's access log shows it.</summary>
public sealed record RegistryRequest(string Method, string Path, int Status, string UserAgent)
{
    /// <summary>A GET or HEAD of a manifest or blob, i.e. a pull (or a push's existence check).</summary>
    public bool IsFetch => Method is "GET" or "HEAD" && (Path.Contains("/manifests/") || Path.Contains("/blobs/"));
}

/// <summary>
/// A real CNCF distribution registry (<c>docker-registry serve</c>, Debian package docker-registry)
/// on 127.0.0.1 at a free port with a temporary storage directory. Its log, access log included,
/// is captured so tests can assert which manifests and blobs were fetched. Killed on dispose.
/// </summary>
public sealed partial class RegistryServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> log = [];
    private readonly string directory;

    private RegistryServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        HostPort = $"127.0.0.1:{port}";
        Url = new Uri($"http://{HostPort}");
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri Url { get; }

    /// <summary>127.0.0.1:PORT, as image references and skopeo want it.</summary>
    public string HostPort { get; }

    public string StorageDirectory => Path.Combine(directory, "storage");
    public string ConfigPath => Path.Combine(directory, "config.yml");

    public static async Task<RegistryServer> StartAsync(RegistryServerOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RegistryServerOptions();
        if (!ProcessRunner.IsInstalled("docker-registry"))
            throw new InvalidOperationException("docker-registry is not installed (apt-get install docker-registry).");
        var directory = Directory.CreateTempSubdirectory("imagescanning-registry-").FullName;
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            File.WriteAllText(Path.Combine(directory, "config.yml"), Config(directory, port, options));
            var start = new ProcessStartInfo("docker-registry")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            start.ArgumentList.Add("serve");
            start.ArgumentList.Add(Path.Combine(directory, "config.yml"));
            var process = new Process { StartInfo = start };
            var server = new RegistryServer(process, directory, port);
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await server.WaitUntilReadyAsync(ct);
                return server;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                last = e;
                await server.StopAsync(deleteDirectory: false);
            }
        }
        Directory.Delete(directory, recursive: true);
        throw new InvalidOperationException("docker-registry did not start.", last);
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}:\n{string.Join('\n', ReadLog())}");
            try
            {
                // 200 when open, 401 with auth: either way it answers.
                using var response = await http.GetAsync(new Uri(Url, "/v2/"), ct);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"docker-registry did not answer on {Url} within 20 s:\n{string.Join('\n', ReadLog())}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (log) log.Add(line);
    }

    /// <summary>How many log lines have been captured; pass it to <see cref="ReadLog"/> or <see cref="Requests"/> later to see only what came after.</summary>
    public int LogPosition
    {
        get { lock (log) return log.Count; }
    }

    /// <summary>The registry's stdout and stderr lines, from <paramref name="from"/> on.</summary>
    public IReadOnlyList<string> ReadLog(int from = 0)
    {
        lock (log) return log.Skip(from).ToList();
    }

    /// <summary>The requests in the access log, from log line <paramref name="from"/> on.</summary>
    /// <remarks>The access log is written after the response: call <see cref="SyncLogAsync"/> before asserting on it.</remarks>
    public IReadOnlyList<RegistryRequest> Requests(int from = 0) =>
        ReadLog(from).Select(line => AccessLine().Match(line))
            .Where(m => m.Success && !m.Groups["path"].Value.StartsWith(LogMarkerPath, StringComparison.Ordinal))
            .Select(m => new RegistryRequest(m.Groups["method"].Value, m.Groups["path"].Value, int.Parse(m.Groups["status"].Value), m.Groups["agent"].Value))
            .ToList();

    /// <summary>
    /// Waits until the access log holds every request answered before this call: sends a marker request of its own and waits for its
    /// line (the registry writes each line when its response is done, in that order). A check that some request did NOT happen reads
    /// the log after this, instead of after a sleep. <see cref="Requests"/> leaves the marker out.
    /// </summary>
    public async Task SyncLogAsync(CancellationToken ct = default)
    {
        var marker = LogMarkerPath + Guid.NewGuid().ToString("N");
        using (var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) })
        using (await client.GetAsync(marker, ct)) { }
        var deadline = DateTime.UtcNow + LogSyncTimeout;
        while (!ReadLog().Any(line => line.Contains(marker, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"docker-registry did not log the marker request {marker} within {LogSyncTimeout}:\n{string.Join('\n', ReadLog())}");
            await Task.Delay(20, ct);
        }
    }

    private const string LogMarkerPath = "/v2/?log-marker=";

    /// <summary>How long <see cref="SyncLogAsync"/> waits for the marker's log line.</summary>
    public static readonly TimeSpan LogSyncTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Manifest and blob GET/HEAD requests of one repository (or all), from log line <paramref name="from"/> on.</summary>
    public IReadOnlyList<RegistryRequest> Fetches(string? repository = null, int from = 0) =>
        Requests(from).Where(r => r.IsFetch && (repository is null || r.Path.StartsWith($"/v2/{repository}/", StringComparison.Ordinal))).ToList();

    // 127.0.0.1 - - [28/Nov/2026:03:03:55 +0000] "GET /v2/test/a/manifests/t1 HTTP/1.1" 200 499 "" "skopeo/1.9.3"
    [GeneratedRegex("^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"(?<method>[A-Z]+) (?<path>\\S+) HTTP/[0-9.]+\" (?<status>\\d{3}) \\S+ \"[^\"]*\" \"(?<agent>[^\"]*)\"")]
    private static partial Regex AccessLine();

    public async ValueTask DisposeAsync() => await StopAsync(deleteDirectory: true);

    private async Task StopAsync(bool deleteDirectory)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
        if (deleteDirectory && Directory.Exists(directory))
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Config(string directory, int port, RegistryServerOptions options)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("version: 0.1");
        yaml.AppendLine("log:");
        yaml.AppendLine("  level: info");
        yaml.AppendLine("  formatter: text");
        yaml.AppendLine("  accesslog:");
        yaml.AppendLine("    disabled: false");
        yaml.AppendLine("storage:");
        yaml.AppendLine("  filesystem:");
        yaml.AppendLine($"    rootdirectory: {Quote(Path.Combine(directory, "storage"))}");
        yaml.AppendLine("  delete:");
        yaml.AppendLine("    enabled: true");
        yaml.AppendLine("  maintenance:");
        yaml.AppendLine("    uploadpurging:");
        yaml.AppendLine("      enabled: false");
        yaml.AppendLine("http:");
        yaml.AppendLine($"  addr: 127.0.0.1:{port}");
        yaml.AppendLine("health:");
        yaml.AppendLine("  storagedriver:");
        yaml.AppendLine("    enabled: false");

        if (options.BasicAuthUsers is { } users && options.TokenAuth is not null)
            throw new ArgumentException("Choose basic auth or token auth, not both.");
        if (options.BasicAuthUsers is { } basic)
        {
            var htpasswd = Path.Combine(directory, "htpasswd");
            File.WriteAllLines(htpasswd, basic.Select(u => $"{u.Key}:{Bcrypt.Hash(u.Value)}"));
            yaml.AppendLine("auth:");
            yaml.AppendLine("  htpasswd:");
            yaml.AppendLine("    realm: test-registry");
            yaml.AppendLine($"    path: {Quote(htpasswd)}");
        }
        if (options.TokenAuth is { } token)
        {
            var bundle = Path.Combine(directory, "token-ca.pem");
            File.WriteAllText(bundle, token.RootCertificateBundlePem);
            yaml.AppendLine("auth:");
            yaml.AppendLine("  token:");
            yaml.AppendLine($"    realm: {Quote(token.Realm)}");
            yaml.AppendLine($"    service: {Quote(token.Service)}");
            yaml.AppendLine($"    issuer: {Quote(token.Issuer)}");
            yaml.AppendLine($"    rootcertbundle: {Quote(bundle)}");
        }
        if (options.Notifications is { } n)
        {
            yaml.AppendLine("notifications:");
            yaml.AppendLine("  events:");
            yaml.AppendLine("    includereferences: false"); // as deploy/registry/config.yml: the Gateway does not read references
            yaml.AppendLine("  endpoints:");
            yaml.AppendLine($"    - name: {Quote(n.Name)}");
            yaml.AppendLine($"      url: {Quote(n.Url.ToString())}");
            if (n.Headers.Count > 0)
            {
                yaml.AppendLine("      headers:");
                foreach (var (key, value) in n.Headers) yaml.AppendLine($"        {Quote(key)}: [{Quote(value)}]");
            }
            yaml.AppendLine($"      timeout: {(int)n.Timeout.TotalMilliseconds}ms");
            yaml.AppendLine($"      threshold: {n.Threshold}");
            yaml.AppendLine($"      backoff: {(int)n.Backoff.TotalMilliseconds}ms");
            if (n.IgnoredActions.Count > 0 || n.IgnoredMediaTypes.Count > 0)
            {
                yaml.AppendLine("      ignore:");
                if (n.IgnoredMediaTypes.Count > 0) yaml.AppendLine($"        mediatypes: [{string.Join(", ", n.IgnoredMediaTypes.Select(Quote))}]");
                if (n.IgnoredActions.Count > 0) yaml.AppendLine($"        actions: [{string.Join(", ", n.IgnoredActions.Select(Quote))}]");
            }
        }
        return yaml.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>
    /// bcrypt hashes for htpasswd (the registry accepts no other scheme), from the system's
    /// libcrypt (libxcrypt, part of every Debian install), so no apache2-utils is needed.
    /// </summary>
    public static class Bcrypt
    {
        private static readonly Lock Gate = new();

        public static string Hash(string password, int cost = 5)
        {
            lock (Gate)
            {
                var setting = crypt_gensalt("$2b$", (nuint)cost, IntPtr.Zero, 0);
                if (setting == IntPtr.Zero) throw new InvalidOperationException("crypt_gensalt failed to make a bcrypt salt.");
                var salt = Marshal.PtrToStringAnsi(setting)!;
                var hashed = crypt(password, salt);
                var hash = hashed == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(hashed);
                if (hash is null || !hash.StartsWith("$2b$", StringComparison.Ordinal))
                    throw new InvalidOperationException("libcrypt did not produce a bcrypt hash.");
                return hash;
            }
        }

#pragma warning disable SYSLIB1054 // Plain DllImport keeps the project free of unsafe code.
        [DllImport("libcrypt.so.1", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern IntPtr crypt_gensalt(string prefix, nuint count, IntPtr randomBytes, int randomBytesLength);

        [DllImport("libcrypt.so.1", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern IntPtr crypt(string phrase, string setting);
#pragma warning restore SYSLIB1054
    }
}
