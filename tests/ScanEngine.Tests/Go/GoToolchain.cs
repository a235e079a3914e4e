using System.IO.Compression;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// Debian's Go toolchain (golang-go, installed by tests/run.sh): builds real Go programs offline and prints the
/// reference reading of their build info with <c>go version -m</c>.
/// </summary>
internal static class GoToolchain
{
    /// <summary>A line of <c>go version -m</c> output: "path", "mod", "dep", "=>" or "build", and its tab-separated fields.</summary>
    public sealed record InfoLine(string Kind, IReadOnlyList<string> Fields);

    /// <summary>The Go version ("go1.19.8") and the module lines <c>go version -m</c> prints for a binary.</summary>
    public static async Task<(string GoVersion, IReadOnlyList<InfoLine> Lines)> VersionOfAsync(string binary)
    {
        var output = (await ProcessRunner.RunAsync("go", ["version", "-m", binary])).StandardOutput;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var goVersion = lines[0][(lines[0].IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim();
        var info = lines.Skip(1).Select(l => l.TrimStart('\t').TrimEnd('\r').Split('\t')).Select(f => new InfoLine(f[0], f[1..])).ToList();
        return (goVersion, info);
    }

    /// <summary>
    /// Builds example.com/hello, which depends on two modules served by a module proxy on disk (GOPROXY=file://, so no
    /// network): golang.org/x/text v0.3.5 and example.com/greeting v1.2.3, and on example.com/local replaced by a local
    /// directory. The proxied modules hold tiny stand-in code, not the real x/text: what matters here is the build info
    /// the real Go linker stamps (a version of x/text go-vulndb has an advisory for). Returns the binary's path.
    /// </summary>
    /// <param name="buildFlags">Extra flags for <c>go build</c>, such as "-trimpath" or "-ldflags=-s -w".</param>
    public static async Task<string> BuildModuleWithDependenciesAsync(string directory, params string[] buildFlags)
    {
        var proxy = Path.Combine(directory, "proxy");
        WriteProxyModule(proxy, "golang.org/x/text", "v0.3.5", "language", "package language\n\nfunc Tag() string { return \"en\" }\n");
        WriteProxyModule(proxy, "example.com/greeting", "v1.2.3", "", "package greeting\n\nfunc Hello() string { return \"hello\" }\n");

        var local = Path.Combine(directory, "local");
        Directory.CreateDirectory(local);
        await File.WriteAllTextAsync(Path.Combine(local, "go.mod"), "module example.com/local\n\ngo 1.19\n");
        await File.WriteAllTextAsync(Path.Combine(local, "local.go"), "package local\n\nconst Name = \"local\"\n");

        var app = Path.Combine(directory, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "go.mod"), """
            module example.com/hello

            go 1.19

            require (
            	example.com/greeting v1.2.3
            	example.com/local v0.0.0
            	golang.org/x/text v0.3.5
            )

            replace example.com/local => ../local
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "main.go"), """
            package main

            import (
            	"fmt"

            	"example.com/greeting"
            	"example.com/local"
            	"golang.org/x/text/language"
            )

            func main() { fmt.Println(greeting.Hello(), local.Name, language.Tag()) }
            """);
        var binary = Path.Combine(directory, "hello");
        await ProcessRunner.RunAsync("go", ["build", .. buildFlags, "-o", binary, "."], workingDirectory: app, environment: Environment(directory, proxy));
        return binary;
    }

    /// <summary>
    /// Builds example.com/boltapp on Debian's packaged sources (golang-github-coreos-bbolt-dev and its x/sys), each
    /// required at the version bbolt's go.mod names and replaced by its directory under /usr/share/gocode: offline
    /// with GOPROXY=off. Returns the binary's path.
    /// </summary>
    public static async Task<string> BuildModuleOnDebianSourcesAsync(string directory, params string[] buildFlags)
    {
        var app = Path.Combine(directory, "boltapp");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "go.mod"), """
            module example.com/boltapp

            go 1.19

            require (
            	go.etcd.io/bbolt v1.3.6
            	golang.org/x/sys v0.0.0-20200923182605-d9f96fdee20d
            )

            replace go.etcd.io/bbolt => /usr/share/gocode/src/go.etcd.io/bbolt

            replace golang.org/x/sys => /usr/share/gocode/src/golang.org/x/sys
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "main.go"), """
            package main

            import (
            	"fmt"

            	bolt "go.etcd.io/bbolt"
            )

            func main() { fmt.Println(bolt.DefaultOptions.Timeout) }
            """);
        var binary = Path.Combine(directory, "boltapp-binary");
        await ProcessRunner.RunAsync("go", ["build", .. buildFlags, "-o", binary, "."], workingDirectory: app, environment: Environment(directory, "off"));
        return binary;
    }

    /// <summary>
    /// Builds a module without dependencies: its build info has only the main module. <paramref name="architecture"/>
    /// cross-compiles (Go needs nothing more): "386" gives a 32-bit ELF, "s390x" a big-endian one.
    /// </summary>
    public static async Task<string> BuildModuleWithoutDependenciesAsync(string directory, string? architecture = null)
    {
        var app = Path.Combine(directory, "plain");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "go.mod"), "module example.com/plain\n\ngo 1.19\n");
        await File.WriteAllTextAsync(Path.Combine(app, "main.go"), "package main\n\nfunc main() { println(\"plain\") }\n");
        var binary = Path.Combine(directory, "plain-binary" + (architecture is null ? "" : "-" + architecture));
        var environment = Environment(directory, "off");
        if (architecture is not null) environment["GOARCH"] = architecture;
        await ProcessRunner.RunAsync("go", ["build", "-o", binary, "."], workingDirectory: app, environment: environment);
        return binary;
    }

    private static Dictionary<string, string> Environment(string directory, string proxy) => new()
    {
        ["GOPROXY"] = proxy == "off" ? "off" : "file://" + proxy,
        ["GOSUMDB"] = "off",
        ["GOFLAGS"] = "-mod=mod -modcacherw",   // writable module cache, so the test can delete it
        ["GOPATH"] = Path.Combine(directory, "gopath"),
        ["GOTOOLCHAIN"] = "local",
        ["CGO_ENABLED"] = "0",
    };

    /// <summary>A module in the GOPROXY layout: @v/list, .info, .mod and the zip with "path@version/" prefixed entries.</summary>
    private static void WriteProxyModule(string proxy, string module, string version, string package, string source)
    {
        var versions = Path.Combine(proxy, module, "@v");
        Directory.CreateDirectory(versions);
        var goMod = $"module {module}\n\ngo 1.19\n";
        File.WriteAllText(Path.Combine(versions, "list"), version + "\n");
        File.WriteAllText(Path.Combine(versions, version + ".info"), $$"""{"Version":"{{version}}","Time":"2021-01-01T00:00:00Z"}""");
        File.WriteAllText(Path.Combine(versions, version + ".mod"), goMod);
        using var zip = ZipFile.Open(Path.Combine(versions, version + ".zip"), ZipArchiveMode.Create);
        void Add(string name, string text)
        {
            using var writer = new StreamWriter(zip.CreateEntry($"{module}@{version}/{name}").Open());
            writer.Write(text);
        }
        Add("go.mod", goMod);
        var fileName = (package.Length == 0 ? "" : package + "/") + Path.GetFileName(module) + ".go";
        Add(fileName, source);
    }
}
