namespace ImageScanning.TestSupport;

/// <summary>
/// A RabbitMQ virtual host per test run, so concurrent runs on one broker (two checkouts, CI and a developer) never
/// consume each other's messages from the same-named queues. Uses <c>rabbitmqctl</c>, which needs the broker's host.
/// </summary>
public static class RabbitMqVirtualHosts
{
    public static string NewName(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 13)];

    public static async Task CreateAsync(string name)
    {
        await ProcessRunner.RunAsync("rabbitmqctl", ["add_vhost", name], TimeSpan.FromMinutes(1));
        await ProcessRunner.RunAsync("rabbitmqctl", ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"], TimeSpan.FromMinutes(1));
    }

    /// <summary>Deletes the virtual host and every queue in it; never throws (a clean-up).</summary>
    public static async Task DeleteAsync(string name)
    {
        try { await ProcessRunner.RunAsync("rabbitmqctl", ["delete_vhost", name], TimeSpan.FromMinutes(1), throwOnError: false); }
        catch (ProcessFailedException) { }
    }
}
