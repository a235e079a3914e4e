namespace ImageScanning.Gateway.Webhooks;

/// <summary>A configured registry as the Gateway sees it: its name and the secret its webhooks present.</summary>
public sealed class RegistryWebhookOptions
{
    public string Name { get; set; } = "";

    /// <summary>The bearer token the registry sends (distribution: notifications.endpoints[].headers.Authorization).</summary>
    public string WebhookToken { get; set; } = "";
}

public sealed class ConfiguredRegistries(IEnumerable<RegistryWebhookOptions> registries)
{
    private readonly Dictionary<string, RegistryWebhookOptions> _byName =
        registries.Where(r => r.Name.Length > 0).ToDictionary(r => r.Name, StringComparer.Ordinal);

    public bool Contains(string name) => _byName.ContainsKey(name);

    public RegistryWebhookOptions? Find(string name) => _byName.GetValueOrDefault(name);

    public IEnumerable<string> Names => _byName.Keys;
}
