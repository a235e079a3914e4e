using System.Diagnostics;
using System.Globalization;
using ImageScanning.Benchmarks.DpkgBaseline;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks.DpkgMemory;

/// <summary>
/// <c>--dpkg-memory [--runs 3]</c>: the memory of listing the 400,000-package status from a layer, per parser, each run a new
/// process (so peak RSS is that parser's): the layer tar is read with the engine's LayerReader (the 56 MB file is one byte[],
/// as ImageFiles holds it), then, measured, the finder lists the packages. Printed per variant (medians): bytes allocated by
/// the finder, growth of peak RSS during it (VmHWM after writing 5 to /proc/self/clear_refs), bytes still reachable afterwards
/// (the Package list: what is kept), and time. Variants: <c>dictionary</c> (parser before commit 3247b12), <c>bytes</c> (parser
/// of commit aa62677), both through <see cref="BaselineDpkgFinder"/>, and <c>engine</c> (DpkgFinder and DpkgStatusParser now);
/// <c>…-two-layers</c>: a second layer rewrites the status with the same packages (the finder's layer-history path);
/// <c>old-history-two-layers</c>: today's parser through the PackageDatabaseHistory of commit 0485b94 (<see cref="BaselinePackageDatabaseHistory"/>).
/// </summary>
public static class DpkgMemoryTool
{
    public const string Switch = "--dpkg-memory";
    private static readonly string[] Variants = ["dictionary", "bytes", "engine", "engine-two-layers", "old-history-two-layers", "bytes-two-layers"];

    public static async Task<int> RunAsync(string[] args)
    {
        var variantIndex = Array.IndexOf(args, "--variant");
        if (variantIndex >= 0) return await ChildAsync(args[variantIndex + 1], args[variantIndex + 2]);

        var runsIndex = Array.IndexOf(args, "--runs");
        var runs = runsIndex >= 0 ? int.Parse(args[runsIndex + 1], CultureInfo.InvariantCulture) : 3;
        RequireSameAsBaseline();
        var work = Directory.CreateTempSubdirectory("imagescanning-dpkg-memory-").FullName;
        try
        {
            var layer = Path.Combine(work, "layer.tar");
            GeneratedDpkgStatus.WriteLayer(layer, GeneratedDpkgStatus.Create());
            Console.WriteLine($"// layer {layer}: {new FileInfo(layer).Length:N0} bytes, {GeneratedDpkgStatus.Packages:N0} packages");
            var results = new Dictionary<string, List<double[]>>();
            for (var run = 0; run < runs; run++)
                foreach (var variant in Variants) // interleaved, so a change in load hits every variant alike
                    (results.TryGetValue(variant, out var list) ? list : results[variant] = []).Add(await RunChildAsync(variant, layer));

            double Median(string variant, int column) => results[variant].Select(r => r[column]).Order().ElementAt(runs / 2);
            Console.WriteLine($"| {runs} runs each, medians | allocated by the finder | peak RSS growth | kept afterwards | time |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var variant in Variants)
                Console.WriteLine($"| {variant} | {Median(variant, 0):N0} MiB | {Median(variant, 1):N0} MiB | {Median(variant, 2):N1} MiB | {Median(variant, 3):N0} ms |");
            foreach (var (variant, baseline) in new[] { ("engine", "dictionary"), ("engine", "bytes"), ("engine-two-layers", "bytes-two-layers"), ("engine-two-layers", "old-history-two-layers") })
                Console.WriteLine($"{variant} / {baseline}: allocated {Median(variant, 0) / Median(baseline, 0):F3}, peak RSS growth {Median(variant, 1) / Median(baseline, 1):F3}, " +
                    $"kept {Median(variant, 2) / Median(baseline, 2):F3}, time {Median(variant, 3) / Median(baseline, 3):F3}");
            Console.WriteLine($"engine: allocated / kept = {Median("engine", 0) / Median("engine", 2):F2}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double[]> RunChildAsync(string variant, string layer)
    {
        var self = Environment.ProcessPath!;
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") arguments.Add(typeof(DpkgMemoryTool).Assembly.Location);
        arguments.AddRange([Switch, "--variant", variant, layer]);
        var start = new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{variant}: exit {process.ExitCode}: {output}");
        var line = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Console.WriteLine($"// {variant}: {line[7..]}");
        return line[7..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private static async Task<int> ChildAsync(string variant, string layerPath)
    {
        LayerFiles layer;
        await using (var blob = File.OpenRead(layerPath))
            layer = await new LayerReader().ReadAsync(blob, "application/vnd.oci.image.layer.v1.tar", "sha256:generated",
                path => path == DpkgFinder.StatusPath, LayerLimits.Default, CancellationToken.None);
        var files = new ImageFiles([layer]);
        // A second layer that rewrites the status with the same packages (as an apt-get in a later layer does): the history path.
        var twoLayers = new ImageFiles([layer, new LayerFiles
        {
            Digest = "sha256:second",
            Files = new Dictionary<string, byte[]> { [DpkgFinder.StatusPath] = layer.Files[DpkgFinder.StatusPath].ToArray() },
        }]);
        Func<List<Package>> find = variant switch
        {
            "dictionary" => () => BaselineDpkgFinder.Find(files, DictionaryDpkgStatusParser.Parse),
            "bytes" => () => BaselineDpkgFinder.Find(files, ByteDpkgStatusParser.Parse),
            "engine" => () => new DpkgFinder().Find(files, null).ToList(),
            "engine-two-layers" => () => new DpkgFinder().Find(twoLayers, null).ToList(),
            "bytes-two-layers" => () => BaselineDpkgFinder.Find(twoLayers, ByteDpkgStatusParser.Parse),
            "old-history-two-layers" => () => BaselineDpkgFinder.Find(twoLayers, DpkgStatusParser.Parse),
            _ => throw new ArgumentException("unknown variant " + variant),
        };

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await File.WriteAllTextAsync("/proc/self/clear_refs", "5");
        var rssBefore = Status("VmRSS");
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var packages = find();
        watch.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var peak = Status("VmHWM") - rssBefore;
        var kept = GC.GetTotalMemory(forceFullCollection: true) - before;
        if (packages.Count != GeneratedDpkgStatus.Packages) throw new InvalidOperationException($"{packages.Count} packages");
        GC.KeepAlive(packages);
        GC.KeepAlive(files);
        GC.KeepAlive(twoLayers);
        const double MiB = 1024 * 1024;
        Console.WriteLine(FormattableString.Invariant($"RESULT {allocated / MiB:F1} {peak / MiB:F1} {kept / MiB:F1} {watch.Elapsed.TotalMilliseconds:F0}"));
        return 0;
    }

    /// <summary>
    /// The engine's finder must list what the aa62677 finder listed (every field, in order), on one layer and on two, for the
    /// corpus's dpkg status files and for a generated one with duplicated (name, architecture) paragraphs and removed packages.
    /// </summary>
    private static void RequireSameAsBaseline()
    {
        var statuses = new[] { "debian-12-scalibr-valid", "ubuntu-18.04-texlive", "ubuntu-18.04-trivy-valid" }
            .Select(c => File.ReadAllBytes(TestSupport.Corpus.PathOf("inventory", "dpkg", c, "var", "lib", "dpkg", "status")))
            .Append(System.Text.Encoding.UTF8.GetBytes(
                "Package: a\nVersion: 1\nArchitecture: amd64\n\nPackage: a\nVersion: 2\nArchitecture: amd64\n\n" +
                "Package: a\nVersion: 3\nArchitecture: i386\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n" +
                "Package: b\nSource: bsrc (0.9)\nVersion: 1\n"))
            .ToList();
        foreach (var status in statuses)
        {
            var one = new ImageFiles([Layer("sha256:one", status)]);
            var upgraded = status.Concat(System.Text.Encoding.UTF8.GetBytes("\n\nPackage: added-later\nVersion: 1\n")).ToArray();
            var two = new ImageFiles([Layer("sha256:one", status), Layer("sha256:two", upgraded)]);
            // A third layer that removes added-later again, and one that gives every package a new version.
            var three = new ImageFiles([Layer("sha256:one", status), Layer("sha256:two", upgraded), Layer("sha256:three", status.ToArray())]);
            var newVersions = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(status).Replace("\nVersion: ", "\nVersion: 9:", StringComparison.Ordinal));
            var changed = new ImageFiles([Layer("sha256:one", status), Layer("sha256:two", upgraded), Layer("sha256:changed", newVersions)]);
            foreach (var files in new[] { one, two, three, changed })
            {
                var engine = new DpkgFinder().Find(files, null).ToList();
                var baseline = BaselineDpkgFinder.Find(files, ByteDpkgStatusParser.Parse);
                if (!engine.SequenceEqual(baseline)) throw new InvalidOperationException($"DpkgFinder differs from the aa62677 finder on a {files.Layers.Count}-layer image");
            }
        }
        Console.WriteLine($"// DpkgFinder lists what the aa62677 finder lists on {statuses.Count} status files, on one, two and three layers");

        static LayerFiles Layer(string digest, byte[] status) =>
            new() { Digest = digest, Files = new Dictionary<string, byte[]> { [DpkgFinder.StatusPath] = status } };
    }

    /// <summary>A /proc/self/status figure ("VmRSS", "VmHWM") in bytes.</summary>
    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
