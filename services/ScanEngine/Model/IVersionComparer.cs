namespace ImageScanning.ScanEngine.Model;

/// <summary>Orders the versions of one versioning scheme (dpkg, rpm, PEP 440, ...).</summary>
public interface IVersionComparer : IComparer<string>
{
    string Scheme { get; }
}
