using System.Text.RegularExpressions;
using ImageScanning.ServiceDefaults.Aws;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Ecr;

/// <summary>A configured registry as the ECR API names it: its 12-digit registry id and its platform name.</summary>
public sealed record EcrRegistry(string RegistryId, string Name, string Host);

/// <summary>
/// Maps ECR registry ids to configured registries: <c>Aws:AccountId</c> (and an absent registryId) is the default registry
/// (<c>Aws:DefaultRegistry</c>, else the first of <c>Registries</c>); <c>Aws:Registries:N:{RegistryId, Registry}</c> add others.
/// </summary>
public sealed partial class EcrRegistries
{
    private sealed class RegistrySettings
    {
        public string Name { get; set; } = "";
        public string Url { get; set; } = "";
    }

    private readonly Dictionary<string, EcrRegistry> _byId = new(StringComparer.Ordinal);
    private readonly EcrRegistry? _default;

    public EcrRegistries(IConfiguration configuration, IOptions<AwsOptions> options)
    {
        var settings = options.Value;
        var registries = configuration.GetSection("Registries").Get<List<RegistrySettings>>()?.Where(r => r.Name.Length > 0).ToList() ?? [];
        string HostOf(string name)
        {
            var url = registries.FirstOrDefault(r => r.Name == name)?.Url;
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : name;
        }

        var defaultName = settings.DefaultRegistry ?? registries.FirstOrDefault()?.Name;
        if (defaultName is not null && registries.Any(r => r.Name == defaultName))
        {
            _default = new EcrRegistry(settings.AccountId, defaultName, HostOf(defaultName));
            _byId[settings.AccountId] = _default;
        }
        foreach (var mapping in settings.Registries)
            if (RegistryIdPattern().IsMatch(mapping.RegistryId) && registries.Any(r => r.Name == mapping.Registry))
                _byId[mapping.RegistryId] = new EcrRegistry(mapping.RegistryId, mapping.Registry, HostOf(mapping.Registry));
    }

    /// <summary>Every registry the account's APIs address: the default one first, then the others by id.</summary>
    public IReadOnlyList<EcrRegistry> All =>
        _byId.Values.DistinctBy(r => r.Name).OrderBy(r => r == _default ? 0 : 1).ThenBy(r => r.RegistryId, StringComparer.Ordinal).ToList();

    /// <summary>The registry the account's APIs know by this platform name, or null.</summary>
    public EcrRegistry? ByName(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>The registry a request addresses; <see cref="EcrException"/> for a malformed or unknown id.</summary>
    public EcrRegistry Resolve(string? registryId)
    {
        if (registryId is null)
            return _default ?? throw EcrException.InvalidParameter("No registry is configured for the ECR API (Registries:0:Name).");
        if (!RegistryIdPattern().IsMatch(registryId))
            throw EcrException.InvalidParameterAt("registryId", "must satisfy regular expression '[0-9]{12}'");
        return _byId.TryGetValue(registryId, out var registry)
            ? registry
            : throw EcrException.InvalidParameter($"The registry with id '{registryId}' is not a registry of this platform.");
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex RegistryIdPattern();
}
