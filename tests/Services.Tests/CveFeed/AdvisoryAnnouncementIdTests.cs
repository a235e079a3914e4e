using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>Which writes of a batch are announced, and with which message id.</summary>
public sealed class AdvisoryAnnouncementIdTests
{
    private static OsvAdvisory Parse(string id, string modified, string fixedVersion, bool withdrawn = false) => OsvParser.Parse(
        $$"""{"id":"{{id}}","modified":"{{modified}}",{{(withdrawn ? "\"withdrawn\":\"2026-01-01T00:00:00Z\"," : "")}}"affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"{{fixedVersion}}"}]}]}]}""");

    private static AdvisoryWrite Write(OsvAdvisory advisory, AdvisoryChange change) =>
        new(advisory, new AdvisoryUpsertResult(advisory.Id, change, advisory.IsWithdrawn), AdvisoryFingerprint.AffectedHashOf(advisory));

    private static Guid IdOf(OsvAdvisory advisory) => AdvisoryAnnouncements.MessageIdOf(advisory, AdvisoryFingerprint.AffectedHashOf(advisory));

    [Test]
    public void The_id_is_the_same_for_the_same_change_and_differs_when_modified_or_the_affected_data_differ()
    {
        var change = Parse("GO-1", "2026-01-01T00:00:00Z", "1.0.1");
        Assert.Multiple(() =>
        {
            Assert.That(IdOf(Parse("GO-1", "2026-01-01T00:00:00Z", "1.0.1")), Is.EqualTo(IdOf(change)), "announced again: the same id");
            Assert.That(IdOf(Parse("GO-1", "2026-01-02T00:00:00Z", "1.0.1")), Is.Not.EqualTo(IdOf(change)));
            Assert.That(IdOf(Parse("GO-1", "2026-01-01T00:00:00Z", "1.0.2")), Is.Not.EqualTo(IdOf(change)));
            Assert.That(IdOf(Parse("GO-2", "2026-01-01T00:00:00Z", "1.0.1")), Is.Not.EqualTo(IdOf(change)));
            Assert.That(IdOf(change).ToString("D")[14], Is.EqualTo('8'), "an RFC 9562 version 8 (name-based) id");
        });
    }

    [Test]
    public void A_batch_announces_the_last_affected_change_of_each_id_and_nothing_withdrawn_or_metadata_only()
    {
        var first = Parse("GO-1", "2026-01-01T00:00:00Z", "1.0.1");
        var last = Parse("GO-1", "2026-01-02T00:00:00Z", "1.0.2");
        var metadata = Parse("GO-1", "2026-01-03T00:00:00Z", "1.0.2");
        var withdrawnLater = Parse("GO-2", "2026-01-01T00:00:00Z", "2.0.0");
        var withdrawn = Parse("GO-2", "2026-01-02T00:00:00Z", "2.0.0", withdrawn: true);
        var unchanged = Parse("GO-3", "2026-01-01T00:00:00Z", "3.0.0");

        var announced = AdvisoryAnnouncements.Announced([
            Write(first, AdvisoryChange.New), Write(withdrawnLater, AdvisoryChange.New), Write(last, AdvisoryChange.Changed),
            Write(metadata, AdvisoryChange.MetadataChanged), Write(withdrawn, AdvisoryChange.Changed), Write(unchanged, AdvisoryChange.Unchanged),
        ]);

        Assert.That(announced.Select(w => w.Advisory), Is.EqualTo(new[] { last }));
    }
}
