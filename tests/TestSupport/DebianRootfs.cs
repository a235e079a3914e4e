namespace ImageScanning.TestSupport;

/// <summary>
/// A real Debian 12 (bookworm) root filesystem, made once by <c>debootstrap --variant=minbase</c>
/// from deb.debian.org (about 35 s, needs root) and cached under /var/tmp/imagescanning-test-cache
/// (or $IMAGESCANNING_TEST_CACHE). It is built in a temporary directory and renamed into place,
/// under a file lock, so concurrent test processes neither build it twice nor see half of it.
/// Treat the cached tree as read-only: copy it (<see cref="CopyToAsync"/>) before changing it.
/// </summary>
public static class DebianRootfs
{
    public const string Suite = "bookworm";
    public const string Mirror = "http://deb.debian.org/debian";

    /// <summary>A small package whose dependencies (libc6, libtinfo6) are all in minbase.</summary>
    public const string DefaultExtraPackage = "less";

    private const string Name = "debian-bookworm-minbase";

    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("IMAGESCANNING_TEST_CACHE") is { Length: > 0 } dir ? dir : "/var/tmp/imagescanning-test-cache";

    public static string CachedPath => Path.Combine(CacheRoot, Name);

    /// <summary>The cached rootfs, built first when missing.</summary>
    public static string GetOrCreate() => GetOrCreateAsync().GetAwaiter().GetResult();

    public static async Task<string> GetOrCreateAsync(CancellationToken ct = default)
    {
        var final = CachedPath;
        if (IsComplete(final)) return final;
        Directory.CreateDirectory(CacheRoot);
        await using var gate = await FileLock.AcquireAsync(Path.Combine(CacheRoot, Name + ".lock"), TimeSpan.FromMinutes(20), ct);
        if (IsComplete(final)) return final;

        foreach (var stale in Directory.GetDirectories(CacheRoot, $".{Name}.tmp-*"))
            await RemoveTreeAsync(stale, ct);
        if (Directory.Exists(final)) await RemoveTreeAsync(final, ct);

        if (!Environment.IsPrivilegedProcess)
            throw new InvalidOperationException("debootstrap needs root to build the Debian test rootfs.");
        var temp = Path.Combine(CacheRoot, $".{Name}.tmp-{Guid.NewGuid():N}");
        try
        {
            await ProcessRunner.RunAsync("debootstrap", ["--variant=minbase", Suite, temp, Mirror], TimeSpan.FromMinutes(20), ct: ct);
            if (!IsComplete(temp)) throw new InvalidOperationException($"debootstrap finished but {temp} has no dpkg status file.");
            Directory.Move(temp, final);
        }
        catch
        {
            await RemoveTreeAsync(temp, CancellationToken.None);
            throw;
        }
        return final;
    }

    /// <summary>Copies the cached rootfs to <paramref name="destination"/> (cp -a keeps owners, modes, links and devices).</summary>
    public static async Task<string> CopyToAsync(string destination, CancellationToken ct = default)
    {
        var source = await GetOrCreateAsync(ct);
        Directory.CreateDirectory(destination);
        await ProcessRunner.RunAsync("cp", ["-a", "--", Path.Combine(source, "."), destination], TimeSpan.FromMinutes(10), ct: ct);
        return destination;
    }

    /// <summary>
    /// The .deb of <paramref name="package"/> as <c>apt-get download</c> fetches it for this host
    /// (Debian 12 too), cached beside the rootfs. Runs <c>apt-get update</c> once if apt has no lists.
    /// </summary>
    public static async Task<string> DownloadDebAsync(string package = DefaultExtraPackage, CancellationToken ct = default)
    {
        var debs = Path.Combine(CacheRoot, "debs");
        Directory.CreateDirectory(debs);
        var existing = Directory.GetFiles(debs, $"{package}_*.deb");
        if (existing.Length > 0) return existing[0];
        await using var gate = await FileLock.AcquireAsync(Path.Combine(debs, ".lock"), TimeSpan.FromMinutes(10), ct);
        existing = Directory.GetFiles(debs, $"{package}_*.deb");
        if (existing.Length > 0) return existing[0];

        var temp = Directory.CreateTempSubdirectory("imagescanning-deb-").FullName;
        try
        {
            var result = await ProcessRunner.RunAsync("apt-get", ["download", package], TimeSpan.FromMinutes(5), temp, throwOnError: false, ct: ct);
            if (result.ExitCode != 0)
            {
                await ProcessRunner.RunAsync("apt-get", ["update"], TimeSpan.FromMinutes(10), ct: ct);
                await ProcessRunner.RunAsync("apt-get", ["download", package], TimeSpan.FromMinutes(5), temp, ct: ct);
            }
            var file = Directory.GetFiles(temp, $"{package}_*.deb").SingleOrDefault()
                ?? throw new InvalidOperationException($"apt-get download {package} left no .deb in {temp}.");
            var target = Path.Combine(debs, Path.GetFileName(file));
            File.Move(file, target);
            return target;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Installs a .deb into a rootfs as root with <c>dpkg --root=DIR -i</c> (maintainer scripts run chrooted).</summary>
    public static async Task InstallDebAsync(string rootfs, string debFile, CancellationToken ct = default)
    {
        if (Path.GetFullPath(rootfs).TrimEnd('/') == Path.GetFullPath(CachedPath).TrimEnd('/'))
            throw new InvalidOperationException("Install into a copy of the cached rootfs, never into the cache itself.");
        await ProcessRunner.RunAsync("dpkg", [$"--root={rootfs}", "-i", debFile], TimeSpan.FromMinutes(5), ct: ct);
    }

    /// <summary>A copy of the rootfs at <paramref name="destination"/> with <paramref name="package"/> installed.</summary>
    public static async Task<string> CopyWithPackageAsync(string destination, string package = DefaultExtraPackage, CancellationToken ct = default)
    {
        var deb = await DownloadDebAsync(package, ct);
        await CopyToAsync(destination, ct);
        await InstallDebAsync(destination, deb, ct);
        return destination;
    }

    private static bool IsComplete(string rootfs) =>
        File.Exists(Path.Combine(rootfs, "var", "lib", "dpkg", "status")) && File.Exists(Path.Combine(rootfs, "usr", "lib", "os-release"));

    // rm -rf copes with what debootstrap leaves (device nodes, unwritable directories) better than Directory.Delete.
    private static Task RemoveTreeAsync(string path, CancellationToken ct) =>
        ProcessRunner.RunAsync("rm", ["-rf", "--", path], TimeSpan.FromMinutes(5), ct: ct);

    /// <summary>An exclusive advisory lock on a file (flock through FileShare.None), across processes.</summary>
    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500, ct);
                }
            }
        }

        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
