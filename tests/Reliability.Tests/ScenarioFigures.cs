using System.Globalization;

namespace ImageScanning.Reliability.Tests;

/// <summary>One scenario's outcome as docs/reliability.md reports it.</summary>
public sealed record ScenarioFigures(
    string Scenario,
    string Faults,
    int Pushes,
    int Complete,
    int Lost,
    int DuplicatedScanEvents,
    int DuplicatedFindingEvents,
    int FindingEvents,
    int ImagesWithoutFindingEvents,
    int RedeliveredCopies,
    TimeSpan PushedIn,
    TimeSpan DrainAfterLastPush,
    IReadOnlyDictionary<string, long> Parked,
    IReadOnlyList<string> NotComplete)
{
    /// <summary>Messages left in the platform's _error queues (<see cref="Parked"/> names them).</summary>
    public long ErrorQueueMessages => Parked.Values.Sum();

    public const string Header =
        "| scenario | faults | pushes | COMPLETE | lost | duplicated scan events | finding events | duplicated finding events | redelivered copies (same id) | pushed in | drained after pushes and faults ended | `_error` messages |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|";

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Faults} | {Pushes} | {Complete} | {Lost} | {DuplicatedScanEvents} | {FindingEvents} | {DuplicatedFindingEvents} | {RedeliveredCopies} | {PushedIn.TotalSeconds:F0} s | {DrainAfterLastPush.TotalSeconds:F0} s | {ErrorQueueMessages} |");

    public override string ToString() => Row + (NotComplete.Count > 0 ? $" not complete: {string.Join(", ", NotComplete)}" : "");

    /// <summary>Every scenario's row, appended to $RELIABILITY_FIGURES (default: the test output directory) for the docs.</summary>
    public void Record()
    {
        var path = Environment.GetEnvironmentVariable("RELIABILITY_FIGURES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, "reliability-figures.md");
        lock (typeof(ScenarioFigures))
        {
            if (!File.Exists(path)) File.WriteAllText(path, Header + "\n");
            File.AppendAllText(path, Row + "\n");
        }
        TestContext.Out.WriteLine(Header);
        TestContext.Out.WriteLine(ToString());
    }

    /// <summary>The promise: every image COMPLETE, announced by exactly one scan event id, its findings once each, no _error messages.</summary>
    public void AssertNothingLostOrDuplicated(bool findingEvents = true)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Lost, Is.Zero, $"images without a COMPLETE result announced: {ToString()}");
            Assert.That(Complete, Is.EqualTo(Pushes), ToString());
            Assert.That(DuplicatedScanEvents, Is.Zero, "an image announced under two event ids");
            Assert.That(ErrorQueueMessages, Is.Zero, "messages parked in _error queues: " + string.Join(", ", Parked.Select(q => $"{q.Key} {q.Value}")));
            if (findingEvents)
            {
                Assert.That(FindingEvents, Is.GreaterThan(0), "no finding events at all: the check below would be empty");
                Assert.That(DuplicatedFindingEvents, Is.Zero, "a finding change announced under two event ids");
                Assert.That(ImagesWithoutFindingEvents, Is.Zero, "images whose finding events do not match their scan's findings");
            }
        });
    }
}
