using ImageScanning.Gateway.Polling;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>A configured registry as the Gateway's webhooks see it: its name and the secrets its webhooks present.</summary>
public sealed class RegistryWebhookOptions
{
    public string Name { get; set; } = "";

    /// <summary>
    /// The token the registry presents: a bearer header (distribution: notifications.endpoints[].headers.Authorization; Zot:
    /// sinks[].credentials.token), Harbor's fixed Authorization header, or ?token= in the URL (Quay, Docker Hub).
    /// </summary>
    public string WebhookToken { get; set; } = "";

    /// <summary>The key the registry signs its bodies with (GitHub's webhook secret, X-Hub-Signature-256).</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Catalog polling, for a registry without webhooks (off unless Polling:Interval is set).</summary>
    public RegistryPollingOptions Polling { get; set; } = new();
}

public sealed class ConfiguredRegistries(IEnumerable<RegistryWebhookOptions> registries)
{
    private readonly Dictionary<string, RegistryWebhookOptions> _byName =
        registries.Where(r => r.Name.Length > 0).ToDictionary(r => r.Name, StringComparer.Ordinal);

    public bool Contains(string name) => _byName.ContainsKey(name);

    public RegistryWebhookOptions? Find(string name) => _byName.GetValueOrDefault(name);

    public IEnumerable<string> Names => _byName.Keys;
}
