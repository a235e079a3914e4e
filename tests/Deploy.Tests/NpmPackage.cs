using System.Formats.Tar;
using System.IO.Compression;
using ImageScanning.TestSupport;

namespace ImageScanning.Deploy.Tests;

/// <summary>
/// A package's files, fetched from npm at test time (<c>npm pack name@version</c> into a directory of its own, as the esbuild
/// tests do) and read from the tarball; only text files under <c>package/</c> whose path the filter accepts are kept.
/// </summary>
public static class NpmPackage
{
    public static async Task<IReadOnlyDictionary<string, string>> FilesAsync(string nameAtVersion, Func<string, bool> keep)
    {
        var where = Path.Combine(Path.GetTempPath(), "deploy-tests-npm", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(where);
        try
        {
            await ProcessRunner.RunAsync("npm", ["pack", "--silent", nameAtVersion], workingDirectory: where);
            var tarball = Directory.GetFiles(where, "*.tgz").Single();
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is null || !entry.Name.StartsWith("package/", StringComparison.Ordinal)) continue;
                var path = entry.Name["package/".Length..];
                if (!keep(path)) continue;
                using var reader = new StreamReader(entry.DataStream);
                files[path] = await reader.ReadToEndAsync();
            }
            return files.Count > 0 ? files : throw new InvalidOperationException($"{nameAtVersion} has no file the filter keeps");
        }
        finally
        {
            Directory.Delete(where, recursive: true);
        }
    }
}
