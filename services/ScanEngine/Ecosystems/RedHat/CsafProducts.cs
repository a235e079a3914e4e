using System.Text.Json;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>One rpm a CSAF product id names: the platform's OSV ecosystem, the rpm's name and "epoch:version-release".</summary>
public readonly record struct CsafRpm(string Ecosystem, string Name, string Version, string Purl);

/// <summary>
/// The product tree of a Red Hat CSAF 2.0 document (advisory or VEX). Branch products carry a CPE (a platform, e.g.
/// "AppStream-8.6.0.Z.AUS" with "cpe:/a:redhat:rhel_aus:8.6::appstream") or a purl (a component,
/// "git-lfs-0:2.13.3-3.el8_6.1.x86_64" with "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64"). Product statuses
/// name "PLATFORM:COMPONENT", the component of a module's rpm written "MODULE:STREAM:VERSION:CONTEXT:NAME-E:V-R.ARCH".
/// <see cref="Resolve"/> reads such an id as Red Hat's own CSAF-to-OSV converter does: the platform's CPE becomes the
/// ecosystem ("Red Hat" + the CPE after "cpe:/o:redhat" or "cpe:/a:redhat"), the rpm's name loses the module prefix
/// and its version the architecture suffix.
/// </summary>
public sealed class CsafProducts
{
    private static readonly string[] CpePrefixes = ["cpe:/o:redhat", "cpe:/a:redhat"];

    private readonly Dictionary<string, string> _cpes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _purls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _platforms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _groups = new(StringComparer.Ordinal);

    /// <param name="productTree">The document's <c>product_tree</c> (any value; a non-object gives an empty tree).</param>
    public CsafProducts(JsonElement productTree)
    {
        if (productTree.ValueKind != JsonValueKind.Object) return;
        if (productTree.TryGetProperty("branches", out var branches)) Collect(branches, 0);
        foreach (var relationship in CsafDocument.Objects(productTree, "relationships"))
            if (relationship.TryGetProperty("full_product_name", out var full) && full.ValueKind == JsonValueKind.Object
                && Text(full, "product_id") is { } id && Text(relationship, "product_reference") is { } component)
            {
                _components[id] = component;
                if (Text(relationship, "relates_to_product_reference") is { } platform) _platforms[id] = platform;
            }
        // Products named at the top of the tree rather than in branches (other vendors' CSAF VEX does this).
        foreach (var full in CsafDocument.Objects(productTree, "full_product_names")) Identify(full);
        foreach (var group in CsafDocument.Objects(productTree, "product_groups"))
            if (Text(group, "group_id") is { } groupId && group.TryGetProperty("product_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
                _groups[groupId] = ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList();
    }

    private void Identify(JsonElement product)
    {
        if (Text(product, "product_id") is not { } id
            || !product.TryGetProperty("product_identification_helper", out var helper) || helper.ValueKind != JsonValueKind.Object) return;
        if (Text(helper, "cpe") is { } cpe) _cpes[id] = cpe;
        else if (Text(helper, "purl") is { } purl) _purls[id] = purl;
    }

    /// <summary>Nested branches are a few levels deep in real documents; the bound keeps a hostile one from exhausting the stack.</summary>
    private const int MaxDepth = 32;

    private void Collect(JsonElement branches, int depth)
    {
        if (branches.ValueKind != JsonValueKind.Array || depth > MaxDepth) return;
        foreach (var branch in branches.EnumerateArray())
        {
            if (branch.ValueKind != JsonValueKind.Object) continue;
            if (branch.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object) Identify(product);
            if (branch.TryGetProperty("branches", out var inner)) Collect(inner, depth + 1);
        }
    }

    /// <summary>The CPE of a platform product id, or null.</summary>
    public string? CpeOf(string productId) => _cpes.GetValueOrDefault(productId);

    /// <summary>The purl of a component product id, or null.</summary>
    public string? PurlOf(string productId) => _purls.GetValueOrDefault(productId);

    /// <summary>The (component, platform) product ids a relationship's product id joins ("PLATFORM:COMPONENT"), or null when it is none.</summary>
    public (string Component, string Platform)? RelationshipOf(string productId) =>
        _components.TryGetValue(productId, out var component) && _platforms.TryGetValue(productId, out var platform) ? (component, platform) : null;

    /// <summary>The product ids of a product group (CSAF product_groups), empty for an unknown group.</summary>
    public IReadOnlyList<string> GroupMembers(string groupId) => _groups.GetValueOrDefault(groupId) ?? [];

    /// <summary>
    /// The rpm a status's product id names, or null with the reason: no "PLATFORM:" part, a component that is not
    /// "NAME-EPOCH:VERSION-RELEASE.ARCH", a platform without a Red Hat CPE, or a component that is not an rpm (containers).
    /// </summary>
    public CsafRpm? Resolve(string productId, out string? reason)
    {
        reason = null;
        var colon = productId.IndexOf(':');
        if (colon <= 0 || colon == productId.Length - 1) { reason = "the product id has no 'PLATFORM:' part"; return null; }
        var platform = productId[..colon];
        var component = productId[(colon + 1)..];

        var releaseDash = component.LastIndexOf('-');
        var versionDash = releaseDash > 0 ? component.LastIndexOf('-', releaseDash - 1) : -1;
        if (versionDash <= 0) { reason = $"'{component}' is not NAME-EPOCH:VERSION-RELEASE"; return null; }
        var namePart = component[..versionDash];
        // A module's rpm: "python39:3.9:8060020240801142753:6a631399:PyYAML" names the module, then the rpm.
        var name = namePart.Count(c => c == ':') >= 4 ? namePart[(namePart.LastIndexOf(':') + 1)..] : namePart;
        var evra = component[(versionDash + 1)..];
        var evr = WithoutArch(evra);
        if (name.Length == 0 || !evr.Contains('-')) { reason = $"'{component}' is not NAME-EPOCH:VERSION-RELEASE"; return null; }

        if (CpeOf(platform) is not { } cpe) { reason = $"the platform '{platform}' has no CPE in the product tree"; return null; }
        if (EcosystemOf(cpe) is not { } ecosystem) { reason = $"'{cpe}' is not a Red Hat CPE"; return null; }
        var purl = _purls.GetValueOrDefault($"{name}-{evra}") ?? _purls.GetValueOrDefault(component);
        if (purl is null) { reason = $"the component '{component}' is not in the product tree"; return null; }
        if (!purl.StartsWith("pkg:rpm/", StringComparison.Ordinal)) { reason = $"'{purl}' is not an rpm"; return null; }
        return new CsafRpm(ecosystem, name, evr, purl.Split('@', '?')[0]);
    }

    /// <summary>
    /// The rpm of an unversioned status id, as VEX documents name the products still affected:
    /// "red_hat_enterprise_linux_8:curl" (platform CPE "cpe:/o:redhat:enterprise_linux:8", component purl
    /// "pkg:rpm/redhat/curl"); the name is the purl's. Null, with the reason, for anything else.
    /// </summary>
    public (string Ecosystem, string Name, string Purl)? ResolveUnversioned(string productId, out string? reason)
    {
        reason = null;
        var colon = productId.IndexOf(':');
        if (colon <= 0) { reason = "the product id has no 'PLATFORM:' part"; return null; }
        var platform = productId[..colon];
        var component = _components.GetValueOrDefault(productId) ?? productId[(colon + 1)..];
        if (CpeOf(platform) is not { } cpe) { reason = $"the platform '{platform}' has no CPE in the product tree"; return null; }
        if (EcosystemOf(cpe) is not { } ecosystem) { reason = $"'{cpe}' is not a Red Hat CPE"; return null; }
        if (_purls.GetValueOrDefault(component) is not { } purl) { reason = $"the component '{component}' is not in the product tree"; return null; }
        if (!purl.StartsWith("pkg:rpm/", StringComparison.Ordinal)) { reason = $"'{purl}' is not an rpm"; return null; }
        var path = purl.Split('@', '?', '#')[0];
        var name = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        if (name.Length == 0) { reason = $"'{purl}' has no name"; return null; }
        return (ecosystem, name, path);
    }

    /// <summary>"Red Hat:rhel_aus:8.6::appstream" from "cpe:/a:redhat:rhel_aus:8.6::appstream"; null for another vendor's CPE.</summary>
    public static string? EcosystemOf(string cpe)
    {
        foreach (var prefix in CpePrefixes)
            if (cpe.StartsWith(prefix, StringComparison.Ordinal) && (cpe.Length == prefix.Length || cpe[prefix.Length] == ':'))
                return "Red Hat" + cpe[prefix.Length..];
        return null;
    }

    private static readonly string[] Architectures =
        ["src", "noarch", "x86_64", "aarch64", "ppc64le", "s390x", "i686", "i386", "ppc64", "ppc", "s390", "ia64", "armv7hl"];

    /// <summary>"0:2.13.3-3.el8_6.1.x86_64" → "0:2.13.3-3.el8_6.1"; a release without a known arch suffix is kept whole.</summary>
    private static string WithoutArch(string evra)
    {
        var dot = evra.LastIndexOf('.');
        return dot > evra.LastIndexOf('-') && Architectures.Contains(evra[(dot + 1)..], StringComparer.Ordinal) ? evra[..dot] : evra;
    }

    public static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
