using System.Text.RegularExpressions;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// The commands a store sends, compared with the reviewed copy in Expected/&lt;name&gt;.txt (one command per line, ids that change
/// from run to run replaced by placeholders). A difference fails with both texts; after reviewing a wanted change, run the tests
/// with MONGO_OFFLINE_APPROVE=1 to rewrite the copy, and review its diff before committing it.
/// </summary>
public static partial class Golden
{
    public static void Verify(string name, IEnumerable<MongoOperation> operations)
    {
        var actual = string.Join('\n', operations.Select(o => Normalize(o.ToString()))) + "\n";
        var source = Path.Combine(ProjectDirectory(), "Expected", name + ".txt");
        if (Environment.GetEnvironmentVariable("MONGO_OFFLINE_APPROVE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            return;
        }
        Assert.That(File.Exists(source), Is.True,
            $"No reviewed copy {source}: review the commands below, then run with MONGO_OFFLINE_APPROVE=1 to write it.\n{actual}");
        var expected = File.ReadAllText(source);
        if (expected == actual) return;
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var first = Enumerable.Range(0, Math.Max(expectedLines.Length, actualLines.Length))
            .First(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i]);
        Assert.Fail($"{name}: the commands differ from Expected/{name}.txt at line {first + 1}:\n" +
                    $"  expected: {expectedLines.ElementAtOrDefault(first)}\n  actual:   {actualLines.ElementAtOrDefault(first)}\n" +
                    "If the change is wanted, run with MONGO_OFFLINE_APPROVE=1 and review the diff.");
    }

    /// <summary>Ids and clock readings that differ from run to run (new GUIDs, lease ids, tag positions taken from the clock).</summary>
    private static string Normalize(string line) => ClockReading().Replace(Hex32().Replace(Uuid().Replace(line, "<uuid>"), "<uuid>"), "<clock>");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Uuid();

    [GeneratedRegex("\\b[0-9]{16,}\\b")]
    private static partial Regex ClockReading();

    [GeneratedRegex("\\b[0-9a-f]{32}\\b")]
    private static partial Regex Hex32();

    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "MongoOffline.Tests.csproj"))) return directory.FullName;
        throw new InvalidOperationException("tests/MongoOffline.Tests not found above " + AppContext.BaseDirectory);
    }
}
