namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// Where a registry's WWW-Authenticate: Bearer realm may point before its credentials are sent there (the containerd
/// CVE-2020-15157 class: a registry, or whoever answers for it, naming a realm on a host that collects the credentials).
/// </summary>
internal static class TokenRealmPolicy
{
    /// <summary>
    /// Public registries whose token service is on a host of its own, as their operators document it: Docker Hub's registry
    /// hosts hand out tokens only from auth.docker.io. Nothing else is trusted without configuration.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownTokenServices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["registry-1.docker.io"] = ["auth.docker.io"],
        ["index.docker.io"] = ["auth.docker.io"],
        ["docker.io"] = ["auth.docker.io"],
    };

    /// <summary>Null when the realm may receive the registry's credentials; otherwise the reason, naming the host and the setting.</summary>
    public static string? Refusal(RegistryOptions registry, Uri registryBase, Uri realm)
    {
        var host = realm.IdnHost;
        var own = string.Equals(host, registryBase.IdnHost, StringComparison.OrdinalIgnoreCase);
        var known = KnownTokenServices.TryGetValue(registryBase.IdnHost, out var services) && services.Contains(host, StringComparer.OrdinalIgnoreCase);
        if (!own && !known && !registry.TokenRealmHosts.Any(h => string.Equals(h.Trim().TrimEnd('.'), host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)))
            return $"Registry '{registry.Name}' asked for a bearer token from {host}, which is neither the registry's host ({registryBase.IdnHost}) "
                + $"nor one of its TokenRealmHosts; no credentials were sent. If {host} is this registry's token service, add it to "
                + $"Registries:N:TokenRealmHosts of registry '{registry.Name}'.";
        if (realm.Scheme != Uri.UriSchemeHttps && registryBase.Scheme == Uri.UriSchemeHttps)
            return $"Registry '{registry.Name}' asked for a bearer token over plain http ({realm.GetLeftPart(UriPartial.Authority)}) although the "
                + "registry itself is https; no credentials were sent. The token realm must be https.";
        return null;
    }
}
