using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ImageScanning.TestSupport;

/// <summary>
/// A real RabbitMQ cluster of Debian's <c>rabbitmq-server</c> on 127.0.0.1: each node its own name, AMQP and distribution
/// ports, data directory and (shared) Erlang cookie, no plugins; nodes 2..n joined to node 1 with <c>rabbitmqctl join_cluster</c>.
/// The scripts under /usr/lib/rabbitmq/bin are run directly: Debian's wrappers would switch to the rabbitmq user and its cookie.
/// A one-node "cluster" is a private broker a test may stop without disturbing any other test.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private const string Scripts = "/usr/lib/rabbitmq/bin";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory;
    private readonly List<Node> _nodes;

    private sealed record Node(string Name, int AmqpPort, int DistributionPort, string Directory)
    {
        public Process? Process { get; set; }
    }

    private RabbitMqCluster(string directory, List<Node> nodes)
    {
        _directory = directory;
        _nodes = nodes;
    }

    public int Count => _nodes.Count;

    /// <summary>Every node's AMQP endpoint as "127.0.0.1:port", the form Messaging:RabbitMqNodes takes.</summary>
    public IReadOnlyList<string> Endpoints => _nodes.Select(n => $"127.0.0.1:{n.AmqpPort}").ToList();

    public int AmqpPort(int node) => _nodes[node].AmqpPort;

    /// <param name="configuration">The text of each node's rabbitmq.conf (e.g. the one the deployment ships); none by default.</param>
    public static async Task<RabbitMqCluster> StartAsync(int nodes, CancellationToken ct = default, string? configuration = null)
    {
        if (!File.Exists(Path.Combine(Scripts, "rabbitmq-server")))
            throw new InvalidOperationException($"{Scripts}/rabbitmq-server not found: install Debian's rabbitmq-server (tests/run.sh does).");
        var directory = Directory.CreateTempSubdirectory("imagescanning-rabbitmq-").FullName;
        var host = System.Environment.MachineName.Split('.')[0];
        var id = Guid.NewGuid().ToString("N")[..6];
        var cookie = Guid.NewGuid().ToString("N");
        var list = new List<Node>();
        for (var i = 0; i < nodes; i++)
        {
            var nodeDirectory = Path.Combine(directory, $"node{i + 1}");
            Directory.CreateDirectory(nodeDirectory);
            await File.WriteAllTextAsync(Path.Combine(nodeDirectory, "enabled_plugins"), "[].", ct);
            if (configuration is not null) await File.WriteAllTextAsync(Path.Combine(nodeDirectory, "rabbitmq.conf"), configuration, ct);
            var cookieFile = Path.Combine(nodeDirectory, ".erlang.cookie");
            await File.WriteAllTextAsync(cookieFile, cookie, ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead); // Erlang refuses a cookie others may read
            list.Add(new Node($"it{id}n{i + 1}@{host}", FreePort(), FreePort(), nodeDirectory));
        }
        var cluster = new RabbitMqCluster(directory, list);
        try
        {
            foreach (var node in list) cluster.Launch(node);
            foreach (var node in list) await cluster.AwaitStartupAsync(node, ct);
            foreach (var node in list.Skip(1))
            {
                await CtlAsync(node, ["stop_app"], ct);
                await CtlAsync(node, ["join_cluster", list[0].Name], ct);
                await CtlAsync(node, ["start_app"], ct);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Stops one node the way an operator or a host shutdown does (<c>rabbitmqctl stop</c>); its queues' replicas elsewhere take over.</summary>
    public async Task StopNodeAsync(int node, CancellationToken ct = default)
    {
        var n = _nodes[node];
        await CtlAsync(n, ["stop"], ct, throwOnError: false);
        if (n.Process is { } process && !await WaitForExitAsync(process, TimeSpan.FromSeconds(60)))
            process.Kill(entireProcessTree: true);
    }

    /// <summary>Starts a stopped node again; it rejoins the cluster from its own data directory.</summary>
    public async Task StartNodeAsync(int node, CancellationToken ct = default)
    {
        Launch(_nodes[node]);
        await AwaitStartupAsync(_nodes[node], ct);
    }

    public async Task CreateVirtualHostAsync(string name, CancellationToken ct = default)
    {
        var node = await RunningNodeAsync(ct);
        await CtlAsync(node, ["add_vhost", name], ct);
        await CtlAsync(node, ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"], ct);
    }

    /// <summary>Messages ready or unacknowledged in each queue of a virtual host, read from a running node (the broker refreshes these counts every 5 s).</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync(string virtualHost, CancellationToken ct = default)
    {
        var node = await RunningNodeAsync(ct);
        var result = await CtlAsync(node, ["list_queues", "-p", virtualHost, "--quiet", "--no-table-headers", "name", "messages"], ct);
        var depths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t', StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && long.TryParse(parts[1], out var messages)) depths[parts[0]] = messages;
        }
        return depths;
    }

    private async Task<Node> RunningNodeAsync(CancellationToken ct)
    {
        foreach (var node in _nodes.Where(n => n.Process is { HasExited: false }))
            if ((await CtlAsync(node, ["status"], ct, throwOnError: false)).ExitCode == 0) return node;
        throw new InvalidOperationException("No node of the RabbitMQ cluster is running.");
    }

    private void Launch(Node node)
    {
        var start = new ProcessStartInfo(Path.Combine(Scripts, "rabbitmq-server"))
        {
            WorkingDirectory = node.Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in NodeEnvironment(node)) start.Environment[key] = value;
        var log = new StreamWriter(Path.Combine(node.Directory, "server.log"), append: true) { AutoFlush = true };
        var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"Could not start RabbitMQ node {node.Name}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        node.Process = process;
    }

    private static Dictionary<string, string> NodeEnvironment(Node node) => new()
    {
        ["HOME"] = node.Directory, // the Erlang cookie lives here
        ["RABBITMQ_NODENAME"] = node.Name,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = node.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = node.DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(node.Directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(node.Directory, "log"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(node.Directory, "enabled_plugins"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(node.Directory, "rabbitmq"),
    };

    private async Task AwaitStartupAsync(Node node, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (node.Process is { HasExited: true } exited)
                throw new InvalidOperationException($"RabbitMQ node {node.Name} exited with {exited.ExitCode}: {ServerLog(node)}");
            var result = await CtlAsync(node, ["await_startup", "--timeout", "10"], ct, throwOnError: false);
            if (result.ExitCode == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"RabbitMQ node {node.Name} did not start within {StartTimeout}: {result.StandardError} {ServerLog(node)}");
            await Task.Delay(500, ct);
        }
    }

    private static string ServerLog(Node node)
    {
        var path = Path.Combine(node.Directory, "server.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(30)) : "";
    }

    private static Task<ProcessResult> CtlAsync(Node node, IEnumerable<string> arguments, CancellationToken ct, bool throwOnError = true) =>
        ProcessRunner.RunAsync(Path.Combine(Scripts, "rabbitmqctl"), ["-n", node.Name, .. arguments], TimeSpan.FromMinutes(2),
            node.Directory, new Dictionary<string, string> { ["HOME"] = node.Directory }, throwOnError, ct);

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Where(n => n.Process is { HasExited: false }))
        {
            try { await CtlAsync(node, ["stop"], CancellationToken.None, throwOnError: false); }
            catch (ProcessFailedException) { }
            if (node.Process is { } process && !await WaitForExitAsync(process, TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        foreach (var node in _nodes) node.Process?.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
