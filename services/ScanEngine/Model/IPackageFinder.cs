namespace ImageScanning.ScanEngine.Model;

/// <summary>Finds one kind of package database in an image (claircore's "package scanner").</summary>
public interface IPackageFinder
{
    /// <summary>Name and version of the finder; a change invalidates stored inventories.</summary>
    string Name { get; }
    string Version { get; }

    /// <summary>Whether the layer reader should keep this regular file (path relative, no leading '/').</summary>
    bool Wants(string path);

    IEnumerable<Package> Find(ImageFiles files, Distribution? distribution);
}
