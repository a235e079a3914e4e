using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>One secfixes entry: the package version that fixed the listed ids ("0": never affected).</summary>
public sealed record SecdbFix(string Version, IReadOnlyList<string> Ids);

public sealed record SecdbPackage(string Name, IReadOnlyList<SecdbFix> Fixes);

/// <summary>
/// An Alpine-style secdb file as read (Alpine, Wolfi and Chainguard publish the same shape):
/// <c>{distroversion, reponame, urlprefix, packages: [{pkg: {name, secfixes: {version: [ids]}}}]}</c>.
/// </summary>
public sealed record SecdbDocument(string? DistroVersion, string? RepoName, string? UrlPrefix, IReadOnlyList<SecdbPackage> Packages)
{
    /// <summary>Reads JSON, or the YAML flavour when the text does not start with '{'. Unreadable parts go to <paramref name="skipped"/>.</summary>
    public static SecdbDocument? Read(byte[] bytes, List<ImportFailure> skipped)
    {
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        return text.TrimStart().StartsWith('{') ? ReadJson(text, skipped) : ReadYaml(text, skipped);
    }

    private static SecdbDocument? ReadJson(string text, List<ImportFailure> skipped)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            skipped.Add(new ImportFailure("(feed)", $"not valid JSON: {e.Message}"));
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                skipped.Add(new ImportFailure("(feed)", $"expected a secdb object, found {root.ValueKind}"));
                return null;
            }
            var packages = new List<SecdbPackage>();
            // An empty repository is written as "packages": {} by Alpine's generator; anything else but an array is bad.
            if (root.TryGetProperty("packages", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                    if (ReadJsonPackage(item, index++, skipped) is { } package) packages.Add(package);
            }
            else if (list.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
                skipped.Add(new ImportFailure("packages", $"expected an array, found {list.ValueKind}"));
            return new SecdbDocument(Str(root, "distroversion"), Str(root, "reponame"), Str(root, "urlprefix"), packages);
        }
    }

    private static SecdbPackage? ReadJsonPackage(JsonElement item, int index, List<ImportFailure> skipped)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("pkg", out var pkg) || pkg.ValueKind != JsonValueKind.Object
            || Str(pkg, "name") is not { Length: > 0 } name)
        {
            skipped.Add(new ImportFailure($"packages[{index}]", "not a {pkg: {name, secfixes}} entry"));
            return null;
        }
        var fixes = new List<SecdbFix>();
        if (pkg.TryGetProperty("secfixes", out var secfixes) && secfixes.ValueKind == JsonValueKind.Object)
        {
            foreach (var fix in secfixes.EnumerateObject())
            {
                if (fix.Value.ValueKind != JsonValueKind.Array)
                {
                    skipped.Add(new ImportFailure($"{name}@{fix.Name}", $"secfixes entry is {fix.Value.ValueKind}, not a list of ids"));
                    continue;
                }
                var ids = fix.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList();
                fixes.Add(new SecdbFix(fix.Name, ids));
            }
        }
        return new SecdbPackage(name, fixes);
    }

    /// <summary>
    /// The YAML flavour (secdb *.yaml), read line by line for exactly the secdb shape: top-level scalars,
    /// then "- pkg:" items with "name:" and a "secfixes:" map of version keys to "- id" lists.
    /// </summary>
    private static SecdbDocument ReadYaml(string text, List<ImportFailure> skipped)
    {
        var top = new Dictionary<string, string>(StringComparer.Ordinal);
        var packages = new List<SecdbPackage>();
        string? name = null;
        List<SecdbFix>? fixes = null;
        string? version = null;
        List<string>? ids = null;
        var inSecfixes = false;
        var secfixesIndent = 0;

        void EndFix()
        {
            if (version is not null && fixes is not null) fixes.Add(new SecdbFix(version, ids ?? []));
            version = null;
            ids = null;
        }
        void EndPackage(int line)
        {
            EndFix();
            if (fixes is not null)
            {
                if (name is { Length: > 0 }) packages.Add(new SecdbPackage(name, fixes));
                else skipped.Add(new ImportFailure($"line {line}", "package without a name"));
            }
            name = null;
            fixes = null;
            inSecfixes = false;
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r');
            var content = raw.Trim();
            if (content.Length == 0 || content.StartsWith('#')) continue;
            var indent = raw.Length - raw.TrimStart().Length;

            if (content.StartsWith("- pkg:", StringComparison.Ordinal))
            {
                EndPackage(i + 1);
                fixes = [];
                continue;
            }
            if (indent == 0 && !content.StartsWith('-'))
            {
                EndPackage(i + 1);
                if (SplitKey(content) is var (key, value)) top[key] = value;
                continue;
            }
            if (fixes is null) continue; // a list under a top-level key (archs)

            if (content.StartsWith("- ", StringComparison.Ordinal))
            {
                if (inSecfixes && version is not null) (ids ??= []).Add(Unquote(content[2..].Trim()));
                continue;
            }
            if (SplitKey(content) is not var (k, v)) continue;
            if (inSecfixes && indent <= secfixesIndent)
            {
                EndFix();
                inSecfixes = false;
            }
            if (!inSecfixes)
            {
                if (k == "name") name = v;
                else if (k == "secfixes") (inSecfixes, secfixesIndent) = (v is not "{}", indent);
                continue;
            }
            EndFix();
            version = k;
            if (v.Length > 0 && v != "[]") skipped.Add(new ImportFailure($"line {i + 1}", $"secfixes entry {k} is not a list of ids"));
        }
        EndPackage(lines.Length);
        return new SecdbDocument(top.GetValueOrDefault("distroversion"), top.GetValueOrDefault("reponame"), top.GetValueOrDefault("urlprefix"), packages);
    }

    /// <summary>"key: value" → (key, value), both unquoted; null when the line is not a mapping entry.</summary>
    private static (string Key, string Value)? SplitKey(string content)
    {
        var colon = content.StartsWith('\'') || content.StartsWith('"')
            ? content.IndexOf(':', content.IndexOf(content[0], 1) + 1)
            : content.IndexOf(':');
        if (colon <= 0) return null;
        return (Unquote(content[..colon].Trim()), Unquote(content[(colon + 1)..].Trim()));
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
