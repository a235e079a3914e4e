namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// A file of the image a finder or the layer reader did not read, and why (over a limit, corrupt): reported with the result
/// so that "nothing found there" is never silent. Files that are merely not package databases are not warned about.
/// </summary>
public sealed record ScanWarning(string Path, string Reason);

/// <summary>
/// A finder that can say which files it skipped. The scanner collects them into the result's warnings; a finder without it
/// is called through <see cref="IPackageFinder.Find"/> and warns about nothing.
/// </summary>
public interface IWarningPackageFinder : IPackageFinder
{
    IEnumerable<Package> Find(ImageFiles files, Distribution? distribution, ICollection<ScanWarning> warnings);
}
