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
    public void Every_platform_service_of_docker_compose_is_scraped_with_the_api_token()
    {
        var compose = File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "docker-compose.yml"));
        var services = PlatformService().Matches(compose).Select(m => m.Groups[1].Value).ToList();
        var prometheus = File.ReadAllText(Deploy("prometheus", "prometheus.yml"));

        Assert.That(services, Has.Count.EqualTo(6), "gateway, scan-router, both scanners, cve-feed, findings");
        Assert.Multiple(() =>
        {
            foreach (var service in services) Assert.That(prometheus, Does.Contain($"\"{service}:8080\""), service);
            Assert.That(prometheus, Does.Contain("credentials_file: api-token"));
            Assert.That(prometheus, Does.Contain("rabbitmq:15692"));
            Assert.That(compose, Does.Contain("Security__ApiTokens__0: " + File.ReadAllText(Deploy("prometheus", "api-token")).Trim()),
                "Prometheus' token is one the services accept");
            Assert.That(compose, Does.Contain("./deploy/grafana/provisioning:/etc/grafana/provisioning"));
        });
    }

    // A compose service built from deploy/Dockerfile: "  name:\n    <<: *service".
    [GeneratedRegex(@"^  ([a-z-]+):\n    <<: \*service", RegexOptions.Multiline)]
    private static partial Regex PlatformService();
}
