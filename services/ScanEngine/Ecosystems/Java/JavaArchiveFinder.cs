using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>
/// Finds Maven artifacts in the Java archives of an image (.jar, .war, .ear, and Jenkins plugins .jpi/.hpi), including
/// archives nested in them. Each visible archive is read by <see cref="JavaArchiveReader"/>; the layer is the one
/// that provided the visible archive file. Package.FilePath is the archive's image path, followed for nested archives
/// by "!/" and the entry path inside its parent ("app/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"), as Trivy writes it.
/// Archives that cannot be read (corrupt, over <see cref="JavaArchiveLimits"/>) are skipped, logged and reported as scan warnings.
/// </summary>
public sealed class JavaArchiveFinder(JavaArchiveLimits limits, ILogger<JavaArchiveFinder>? logger = null) : IWarningPackageFinder
{

    private readonly JavaArchiveReader reader = new(limits);
    private readonly ILogger logger = logger ?? NullLogger<JavaArchiveFinder>.Instance;

    public JavaArchiveFinder() : this(JavaArchiveLimits.Default) { }

    public string Name => "java-archive";
    public string Version => "1";

    public bool Wants(string path) => JavaArchiveReader.IsArchiveName(path);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution) => Find(files, distribution, new List<ScanWarning>());

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution, ICollection<ScanWarning> warnings)
    {
        if (files.Layers.Count == 0) return [];
        var packages = new List<Package>();
        foreach (var file in files.Final.All.Where(f => Wants(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var scan = reader.Read(file.Path, file.Content);
            foreach (var skipped in scan.Skipped)
            {
                // An archive without coordinates is ordinary (an application's own war); corrupt or oversized ones are not.
                var level = skipped.Kind == SkipKind.Unidentified ? LogLevel.Debug : LogLevel.Warning;
                logger.Log(level, "Java archive {Path} gave no package: {Reason}", skipped.ArchivePath, skipped.Reason);
                if (skipped.Kind != SkipKind.Unidentified) warnings.Add(new ScanWarning(skipped.ArchivePath, skipped.Reason));
            }
            foreach (var artifact in scan.Artifacts)
                packages.Add(new Package
                {
                    Name = artifact.Name,
                    Version = artifact.Version,
                    Type = PackageType.Maven.Id,
                    FilePath = artifact.ArchivePath,
                    LayerDigest = file.LayerDigest,
                });
        }
        return packages;
    }
}
