using System.Text.RegularExpressions;
using ImageScanning.TestSupport;

namespace ImageScanning.Observability.Tests;

/// <summary>deploy/prometheus is a configuration Prometheus accepts, and it scrapes every service docker-compose.yml runs.</summary>
public sealed partial class DeployConfigurationTests
{
    private static string Deploy(params string[] parts) => Path.Combine([Corpus.RepositoryRoot, "deploy", .. parts]);

    [Test]
    public async Task Promtool_accepts_the_prometheus_configuration()
    {
        var result = await ProcessRunner.RunAsync("promtool", ["check", "config", Deploy("prometheus", "prometheus.yml")], TimeSpan.FromMinutes(1), throwOnError: false);
        Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
    }

    [Test]
    public void Every_platform_service_of_docker_compose_is_scraped_with_the_metrics_token()
    {
        var compose = File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "docker-compose.yml"));
        var services = PlatformService().Matches(compose).Select(m => m.Groups[1].Value).ToList();
        var prometheus = File.ReadAllText(Deploy("prometheus", "prometheus.yml"));

        Assert.That(services, Has.Count.EqualTo(6), "gateway, scan-router, both scanners, cve-feed, findings");
        Assert.Multiple(() =>
        {
            foreach (var service in services) Assert.That(prometheus, Does.Contain($"\"{service}:8080\""), service);
            Assert.That(prometheus, Does.Contain("credentials_file: metrics-token"));
            Assert.That(prometheus, Does.Contain("rabbitmq:15692"));
            // Prometheus' token is one the services accept, and it has the metrics scope only.
            Assert.That(compose, Does.Contain("Security__Tokens__1__Token: " + File.ReadAllText(Deploy("prometheus", "metrics-token")).Trim()));
            Assert.That(compose, Does.Contain("Security__Tokens__1__Scopes__0: metrics").And.Not.Contain("Security__Tokens__1__Scopes__1"),
                "Prometheus' token has the metrics scope and no other");
            Assert.That(compose, Does.Contain("./deploy/grafana/provisioning:/etc/grafana/provisioning"));
        });
    }

    [Test]
    public void Every_platform_service_has_its_own_broker_user_from_the_definitions_rabbitmq_loads()
    {
        var compose = File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "docker-compose.yml"));
        using var definitions = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Deploy("rabbitmq", "definitions.json")));
        var users = definitions.RootElement.GetProperty("users").EnumerateArray()
            .ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("password").GetString()!);
        var permitted = definitions.RootElement.GetProperty("permissions").EnumerateArray().Select(p => p.GetProperty("user").GetString()).ToList();
        var services = PlatformService().Matches(compose).Select(m => m.Groups[1].Value).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(users.Keys, Is.EquivalentTo(services), "one broker user per platform service, and no guest");
            Assert.That(permitted, Is.EquivalentTo(services), "each with its permissions");
            foreach (var service in services)
            {
                Assert.That(compose, Does.Contain($"Messaging__RabbitMqUsername: {service}\n      Messaging__RabbitMqPassword: {users.GetValueOrDefault(service)}"), service);
            }
            Assert.That(compose, Does.Contain("./deploy/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json"));
            Assert.That(File.ReadAllText(Deploy("rabbitmq", "rabbitmq.conf")), Does.Contain("load_definitions = /etc/rabbitmq/definitions.json"));
        });
    }

    /// <summary>
    /// The broker configuration docker-compose mounts, loaded by a real RabbitMQ node: each service's user logs in over AMQP with
    /// the password its compose environment gives, and guest does not exist.
    /// </summary>
    [Test]
    public async Task A_real_broker_loads_the_definitions_each_service_logs_in_and_guest_is_refused()
    {
        using var definitions = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Deploy("rabbitmq", "definitions.json")));
        var users = definitions.RootElement.GetProperty("users").EnumerateArray()
            .ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("password").GetString()!);
        var configuration = File.ReadAllText(Deploy("rabbitmq", "rabbitmq.conf"))
            .Replace("/etc/rabbitmq/definitions.json", Deploy("rabbitmq", "definitions.json"), StringComparison.Ordinal);
        await using var broker = await RabbitMqCluster.StartAsync(1, configuration: configuration);

        async Task<string> LogInAsync(string user, string password)
        {
            var factory = new RabbitMQ.Client.ConnectionFactory
            {
                HostName = "127.0.0.1", Port = broker.AmqpPort(0), UserName = user, Password = password, VirtualHost = "/",
            };
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                await using var channel = await connection.CreateChannelAsync();
                return "logged in";
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e) when (e.InnerException is RabbitMQ.Client.Exceptions.AuthenticationFailureException)
            {
                return "refused";
            }
        }

        var outcomes = new Dictionary<string, string>();
        foreach (var (user, password) in users) outcomes[user] = await LogInAsync(user, password);
        outcomes["guest"] = await LogInAsync("guest", "guest");

        Assert.That(outcomes, Is.EquivalentTo(users.Keys.Select(u => new KeyValuePair<string, string>(u, "logged in"))
            .Append(new KeyValuePair<string, string>("guest", "refused"))));
    }

    // A compose service built from deploy/Dockerfile: "  name:\n    <<: *service".
    [GeneratedRegex(@"^  ([a-z-]+):\n    <<: \*service", RegexOptions.Multiline)]
    private static partial Regex PlatformService();
}
