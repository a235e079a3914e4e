using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// The content manifests Red Hat's build system (OSBS / Konflux) writes into every image it builds, one per layer it
/// adds: <c>root/buildinfo/content_manifests/NAME.json</c>, an object whose <c>content_sets</c> array names the
/// repositories (content sets) the layer's rpms were installed from, e.g.
/// <c>{"metadata": {"icm_version": 1, "image_layer_index": 0}, "content_sets": ["rhel-8-for-x86_64-baseos-rpms",
/// "rhel-8-for-x86_64-appstream-rpms"], "image_contents": []}</c>. Trivy and Clair read the same files.
/// <para>
/// A package is given the content sets of the manifests its own layer added. A layer without one takes those of the
/// nearest lower layer that has one (a customer's layers on a Red Hat base image install from the same repositories),
/// else of the nearest upper one (early Red Hat images wrote the base layer's manifest in the next layer, as Trivy
/// allows). Manifests that do not parse, or have no content sets, are ignored: the packages are then keyed as in an
/// image without a manifest, never dropped.
/// </para>
/// </summary>
public sealed class RedHatContentManifests
{
    public const string Directory = "root/buildinfo/content_manifests/";

    /// <summary>A content manifest's size is a few kilobytes; larger files are not manifests worth holding in memory.</summary>
    private const int MaxManifestBytes = 1 << 20;

    private readonly IReadOnlyList<(string Digest, IReadOnlyList<string>? ContentSets)> _layers;

    private RedHatContentManifests(IReadOnlyList<(string, IReadOnlyList<string>?)> layers) => _layers = layers;

    /// <summary>Whether the layer reader should keep this file: a JSON file directly in the manifests directory.</summary>
    public static bool Wants(string path) =>
        path.StartsWith(Directory, StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal)
        && path.IndexOf('/', Directory.Length) < 0;

    /// <summary>The content sets each layer's own manifests name (null for a layer with none).</summary>
    public static RedHatContentManifests ByLayer(ImageFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return new RedHatContentManifests(files.Layers.Select(layer =>
        {
            var sets = layer.Files.Where(f => Wants(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal)
                .SelectMany(f => Parse(f.Value)).Distinct(StringComparer.Ordinal).ToList();
            return (layer.Digest, sets.Count == 0 ? null : (IReadOnlyList<string>?)sets);
        }).ToList());
    }

    /// <summary>The content sets of the packages a layer added (by the rule above); null when no layer has a manifest.</summary>
    public IReadOnlyList<string>? For(string layerDigest)
    {
        var index = -1;
        for (var i = _layers.Count - 1; i >= 0; i--)
            if (_layers[i].Digest == layerDigest) { index = i; break; }
        if (index < 0) return null;
        for (var i = index; i >= 0; i--)
            if (_layers[i].ContentSets is { } own) return own;
        for (var i = index + 1; i < _layers.Count; i++)
            if (_layers[i].ContentSets is { } upper) return upper;
        return null;
    }

    /// <summary>The <c>content_sets</c> strings of one manifest; none when it is not a manifest.</summary>
    public static IReadOnlyList<string> Parse(byte[] content)
    {
        if (content.Length is 0 or > MaxManifestBytes) return [];
        try
        {
            using var json = UntrustedJson.Parse(content);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("content_sets", out var sets) || sets.ValueKind != JsonValueKind.Array) return [];
            return sets.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!.Trim())
                .Where(s => s.Length is > 0 and <= 256).ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
