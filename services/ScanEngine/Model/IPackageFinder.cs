namespace ImageScanning.ScanEngine.Model;

/// <summary>Finds one kind of package database in an image (claircore's "package scanner").</summary>
public interface IPackageFinder
{
    /// <summary>Name and version of the finder; a change invalidates stored inventories.</summary>
    string Name { get; }
    string Version { get; }

    /// <summary>Whether the layer reader should keep this regular file (path relative, no leading '/').</summary>
    bool Wants(string path);

    /// <summary>Where an OS package database it reads lives, for messages ("var/lib/dpkg/status"); null for language finders.</summary>
    string? DatabaseLocation => null;

    IEnumerable<Package> Find(ImageFiles files, Distribution? distribution);
}

/// <summary>
/// Optional for finders that recognise files by content, not path: executables (Go binaries, cargo-auditable Rust
/// binaries) can be anywhere in an image. The layer reader asks about regular files no finder wants by path.
/// </summary>
public interface IContentSniffer
{
    /// <summary>The number of leading bytes <see cref="WantsContent"/> is given (fewer for a shorter file).</summary>
    public const int HeadLength = 64;

    /// <summary>Whether the file may be wanted, from its first bytes only (e.g. an ELF magic); cheap, called for every unwanted file.</summary>
    bool WantsContent(string path, ReadOnlySpan<byte> head);

    /// <summary>Whether to keep the file once read whole; lets a finder drop executables it cannot use before they are held in memory.</summary>
    bool KeepsContent(string path, byte[] content) => true;
}

/// <summary>The content sniffers among a set of finders, as one; null when none sniffs.</summary>
public static class ContentSniffers
{
    public static IContentSniffer? Of(IEnumerable<IPackageFinder> finders)
    {
        var sniffers = finders.OfType<IContentSniffer>().ToArray();
        return sniffers.Length == 0 ? null : new Combined(sniffers);
    }

    private sealed class Combined(IContentSniffer[] sniffers) : IContentSniffer
    {
        public bool WantsContent(string path, ReadOnlySpan<byte> head)
        {
            foreach (var sniffer in sniffers)
                if (sniffer.WantsContent(path, head)) return true;
            return false;
        }

        public bool KeepsContent(string path, byte[] content)
        {
            var head = content.AsSpan(0, Math.Min(content.Length, IContentSniffer.HeadLength));
            foreach (var sniffer in sniffers)
                if (sniffer.WantsContent(path, head) && sniffer.KeepsContent(path, content)) return true;
            return false;
        }
    }
}
