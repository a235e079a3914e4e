using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>
/// A deleted repository (ECR DeleteRepository, announced by ScanRouter as RepositoryDeleted) closes the open findings of the
/// images deleted with it, announcing each closure once, and leaves other repositories' findings open.
/// </summary>
public sealed class RepositoryDeletedTests
{
    private FindingsHarnessHost _host = null!;
    private IFindingLifecycleStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await FindingsHarnessHost.StartAsync(new ManualClock(T0));
        _store = _host.Get<IFindingLifecycleStore>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<IReadOnlyList<FindingStatus>> StatusesAsync(ImageRef image) =>
        (await _store.QueryAsync(new ListFindings(new FindingFilter(ImageDigest: image.Digest), FindingSortField.VULNERABILITY_ID, SortOrder.ASC, 100, null)))
        .Findings.Select(f => f.Status).ToList();

    [Test]
    public async Task The_deleted_images_findings_close_once_and_another_repositorys_stay_open()
    {
        var first = Image('a', repository: "gone");
        var second = Image('b', repository: "gone");
        var kept = Image('c', repository: "kept");
        foreach (var image in new[] { first, second, kept })
        {
            await _host.Harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")));
            await _host.PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        }

        var deleted = new RepositoryDeleted("local", "gone", [first, second], T0.AddDays(1));
        var messageId = Guid.NewGuid();
        await _host.PublishAsync(deleted, messageId);
        await _host.PublishAsync(deleted, messageId); // the outbox's redelivery: the inbox skips it
        await _host.DrainAsync();

        var closed = _host.Harness.Published.Select<FindingChanged>().Select(m => m.Context.Message)
            .Where(c => c.Change == FindingChangeKind.CLOSED).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(await StatusesAsync(first), Is.EqualTo(new[] { FindingStatus.CLOSED, FindingStatus.CLOSED }));
            Assert.That(await StatusesAsync(second), Is.EqualTo(new[] { FindingStatus.CLOSED, FindingStatus.CLOSED }));
            Assert.That(await StatusesAsync(kept), Is.EqualTo(new[] { FindingStatus.ACTIVE, FindingStatus.ACTIVE }));
            Assert.That(closed.Select(c => (c.Image.Digest, c.Finding.VulnerabilityId)).Order(), Is.EqualTo(new[]
            {
                (first.Digest, "CVE-1"), (first.Digest, "CVE-2"), (second.Digest, "CVE-1"), (second.Digest, "CVE-2"),
            }.Order()), "each closure announced once");
            Assert.That(closed.Select(c => c.UpdatedAt).Distinct(), Is.EqualTo(new[] { T0.AddDays(1) }));
        });
    }
}
