namespace ImageScanning.TestSupport;

/// <summary>The shared, read-only test corpus in ../shared/corpus (never copied into the project).</summary>
public static class Corpus
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Root { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus"));

    public static string PathOf(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Corpus file missing: {path}. The corpus lives in ../shared/corpus beside the checkout.");
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln"))) return dir.FullName;
        throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}
