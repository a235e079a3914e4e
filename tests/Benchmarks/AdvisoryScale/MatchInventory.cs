using ImageScanning.Comparison.Tests;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// Real packages to match, as the engine's finders list them from the corpus inventories (ComparisonRoots.CorpusCases, each
/// with its os-release), grouped as images: one per OS database (dpkg Debian 12 and Ubuntu 18.04, distroless, apk Alpine
/// 3.16 and 3.18, rpm), and every language inventory (Java, npm, Python, .NET, Ruby, PHP, Cargo) added to the Debian 12 image.
/// An image is one matcher call, as a scanner makes one per image. The corpus holds 783 packages, so 1,000 take some twice.
/// </summary>
public static class MatchInventory
{
    public sealed record Image(string Name, Distribution? Distribution, IReadOnlyList<Package> Packages);

    public static async Task<IReadOnlyList<Image>> LoadAsync(string work)
    {
        var finders = EcosystemCatalog.All().SelectMany(e => e.Finders).ToArray();
        bool Wants(string path) => DistributionDetector.Wants(path) || finders.Any(f => f.Wants(path));
        var images = new List<Image>();
        var languages = new List<Package>();
        foreach (var input in ComparisonRoots.CorpusCases())
        {
            var root = await ComparisonRoots.LayOutAsync(input, Path.Combine(work, input.ToString().Replace('/', '-')));
            var files = await new LocalImageReader(new LayerReader(), LayerLimits.Default).ReadDirectoryAsync(root, Wants, CancellationToken.None);
            var distribution = DistributionDetector.Detect(files.Files.Final);
            var packages = finders.SelectMany(f => f.Find(files.Files, distribution)).ToList();
            if (distribution is null) languages.AddRange(packages);
            else images.Add(new Image(input.ToString(), distribution, packages));
        }
        var debian = images.FindIndex(i => i.Name == "dpkg/debian-12-scalibr-valid");
        images[debian] = images[debian] with { Packages = [.. images[debian].Packages, .. languages] };
        return images;
    }

    /// <summary>
    /// <paramref name="count"/> packages in all: every image once, then (the corpus holds fewer packages than a large image) the
    /// images again from the first, as further scans, the last one cut to make up the count.
    /// </summary>
    public static IReadOnlyList<Image> Take(IReadOnlyList<Image> images, int count)
    {
        if (images.Sum(i => i.Packages.Count) == 0) throw new InvalidOperationException("no packages in the corpus inventories");
        var taken = new List<Image>();
        for (var i = 0; count > 0; i = (i + 1) % images.Count)
        {
            var image = images[i];
            if (image.Packages.Count == 0) continue;
            taken.Add(image with { Packages = image.Packages.Take(count).ToList() });
            count -= taken[^1].Packages.Count;
        }
        return taken;
    }

    /// <summary>Every <paramref name="step"/>-th package of each image: the same mix, fewer packages.</summary>
    public static IReadOnlyList<Image> Every(IReadOnlyList<Image> images, int step) =>
        images.Select(i => i with { Packages = i.Packages.Where((_, n) => n % step == 0).ToList() }).ToList();
}
