using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Npm;

/// <summary>
/// Finds npm packages: installed ones from the package.json at the root of every package folder under a
/// node_modules directory (scoped "@scope/name" too), and locked ones from package-lock.json files.
/// <para>
/// No double reporting, decided as Trivy does: in container images Trivy reads only the installed
/// package.json files (its package-lock.json analyzer runs for filesystem and repository scans only),
/// because what is installed is what runs. Here a package-lock.json is read only when the project folder
/// it sits in has no installed packages (no wanted <c>node_modules/**/package.json</c> below it), e.g. an
/// image that ships an application's lock file but installs dependencies elsewhere. Lock files inside
/// node_modules (published with a package, listing its authors' dev setup, not what is installed) are
/// never read; Trivy skips them too. Lock entries include dev dependencies (see <see cref="NpmLockEntry.Dev"/>).
/// </para>
/// <para>Each package is attributed to the layer that provided the visible file it was read from.</para>
/// </summary>
public sealed class NpmFinder : IPackageFinder
{
    private const string NodeModules = "node_modules/";
    private const string NestedNodeModules = "/node_modules/";
    private const string PackageJson = "/package.json";
    private const string LockFile = "package-lock.json";

    public string Name => "npm";
    public string Version => "1";

    public bool Wants(string path) => IsInstalledPackageJson(path) || IsLockFile(path);

    /// <summary>"…node_modules/NAME/package.json" or "…node_modules/@SCOPE/NAME/package.json", nothing deeper.</summary>
    public static bool IsInstalledPackageJson(string path)
    {
        if (!path.EndsWith(PackageJson, StringComparison.Ordinal)) return false;
        var last = path.LastIndexOf(NodeModules, StringComparison.Ordinal);
        if (last < 0 || (last > 0 && path[last - 1] != '/')) return false;
        var folderLength = path.Length - PackageJson.Length - last - NodeModules.Length;
        if (folderLength <= 0) return false; // "node_modules/package.json"
        var folder = path.AsSpan(last + NodeModules.Length, folderLength);
        if (folder[0] == '.') return false; // ".bin", ".cache", hidden folders
        var slash = folder.IndexOf('/');
        if (slash < 0) return true;
        // Scoped: "@scope/name", both parts non-empty, nothing deeper (test fixtures inside a package).
        return folder[0] == '@' && slash > 1 && slash < folder.Length - 1 && folder[(slash + 1)..].IndexOf('/') < 0;
    }

    /// <summary>A package-lock.json that is not inside a node_modules directory.</summary>
    public static bool IsLockFile(string path) =>
        (path.Length == LockFile.Length || (path.Length > LockFile.Length && path[^(LockFile.Length + 1)] == '/'))
        && path.EndsWith(LockFile, StringComparison.Ordinal)
        && !path.StartsWith(NodeModules, StringComparison.Ordinal)
        && !path.Contains(NestedNodeModules, StringComparison.Ordinal);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var visible = files.Final.All.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var packages = new List<Package>();
        var projectsWithInstalledPackages = new HashSet<string>(StringComparer.Ordinal);

        foreach (var file in visible.Where(f => IsInstalledPackageJson(f.Path)))
        {
            projectsWithInstalledPackages.Add(ProjectFolder(file.Path));
            if (ReadInstalled(file.Content) is { } package)
                packages.Add(ToPackage(package.Name, package.Version, file));
        }

        foreach (var file in visible.Where(f => IsLockFile(f.Path)))
        {
            if (projectsWithInstalledPackages.Contains(file.Path[..^LockFile.Length])) continue;
            IReadOnlyList<NpmLockEntry> entries;
            try
            {
                entries = NpmLockFileParser.Parse(file.Content);
            }
            catch (FormatException)
            {
                continue; // a broken lock file in an image is not the scan's failure; it lists nothing
            }
            packages.AddRange(entries.Select(e => ToPackage(e.Name, e.Version, file)));
        }
        return packages;
    }

    /// <summary>The folder holding the outermost node_modules of a path: "app/" for "app/node_modules/a/node_modules/b/package.json".</summary>
    private static string ProjectFolder(string path)
    {
        var first = path.StartsWith(NodeModules, StringComparison.Ordinal) ? 0 : path.IndexOf(NestedNodeModules, StringComparison.Ordinal) + 1;
        return path[..first];
    }

    /// <summary>Name and version of an installed package.json; null when it lacks either (not a package root).</summary>
    public static (string Name, string Version)? ReadInstalled(byte[] content)
    {
        try
        {
            using var document = UntrustedJson.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String) return null;
            var n = name.GetString()!.Trim();
            var v = version.GetString()!.Trim();
            return n.Length == 0 || v.Length == 0 ? null : (n, v);
        }
        catch (JsonException)
        {
            return null; // not JSON: not a package we can name
        }
    }

    private static Package ToPackage(string name, string version, VisibleFile file) => new()
    {
        Name = name,
        Version = version,
        Type = PackageType.Npm.Id,
        FilePath = file.Path,
        LayerDigest = file.LayerDigest,
    };
}
