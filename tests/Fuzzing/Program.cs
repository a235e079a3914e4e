using System.Diagnostics;
using ImageScanning.Fuzzing;
using SharpFuzz;

// fuzz TARGET               run under afl-fuzz (stdin or the file afl names): an unexpected exception is a crash
// seeds TARGET DIR CORPUS   write the starting inputs of TARGET into DIR
// run TARGET FILE...        replay inputs (afl's crashes and hangs) and say what each one does; exit 1 on a crash
// list                      the targets
const string usage = "usage: Fuzzing fuzz TARGET | seeds TARGET DIR CORPUS | run TARGET FILE... | list";
if (args.Length == 0) { Console.Error.WriteLine(usage); return 2; }
if (args is ["fuzz", var fuzzed])
{
    // Instrumented engine code may run only once afl's shared memory is set up, inside Run: the target is looked up there.
    FuzzTarget? chosen = null;
    Fuzzer.OutOfProcess.Run(stream =>
    {
        chosen ??= FuzzTargets.Named(fuzzed) ?? throw new ArgumentException($"unknown target '{fuzzed}'");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        try { chosen.Run(buffer.ToArray()); }
        catch (Exception e) when (FuzzTargets.IsExpected(e)) { }
    });
    return 0;
}
if (args[0] == "list")
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-15} {t.Description}");
    return 0;
}
if (args.Length < 2 || FuzzTargets.Named(args[1]) is not { } target)
{
    Console.Error.WriteLine(args.Length < 2 ? usage : $"unknown target '{args[1]}'; `Fuzzing list` names them");
    return 2;
}

switch (args[0])
{
    case "seeds" when args.Length == 4:
        Directory.CreateDirectory(args[2]);
        var written = 0;
        foreach (var (name, content) in target.Seeds(args[3]))
        {
            File.WriteAllBytes(Path.Combine(args[2], name), content);
            written++;
        }
        Console.WriteLine($"{target.Name}: {written} seeds in {args[2]}");
        return written == 0 ? 1 : 0;
    case "run":
        var crashed = 0;
        foreach (var file in args.Skip(2))
        {
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                target.Run(File.ReadAllBytes(file));
                outcome = "accepted";
            }
            catch (Exception e) when (FuzzTargets.IsExpected(e))
            {
                outcome = $"refused ({e.GetType().Name}): {e.Message}";
            }
            catch (Exception e)
            {
                crashed++;
                outcome = $"CRASH {e}";
            }
            Console.WriteLine($"{file}: {clock.ElapsedMilliseconds} ms: {outcome}");
        }
        return crashed > 0 ? 1 : 0;
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
