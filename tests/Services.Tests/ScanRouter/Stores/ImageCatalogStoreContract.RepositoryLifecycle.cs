using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Created repositories (ECR CreateRepository) beside the ones pushes make, and deletion (DeleteRepository).</summary>
public sealed partial class ImageCatalogStoreContract
{
    [Test]
    public async Task A_created_repository_exists_and_is_listed_before_its_first_push()
    {
        Assert.That(await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("team/new", T0, "IMMUTABLE")), Is.True);
        await Catalog.UpsertImageAsync(Image("pushed", DigestA, pushedAt: T0.AddHours(1)));

        Assert.Multiple(async () =>
        {
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "team/new"), Is.EqualTo(new CatalogRepositoryRecord("team/new", T0, "IMMUTABLE", 0)));
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "pushed"), Is.EqualTo(new CatalogRepositoryRecord("pushed", T0.AddHours(1), "MUTABLE", 1)));
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "never"), Is.Null);
            Assert.That(await Catalog.GetRepositoryAsync("other-registry", "team/new"), Is.Null);
            Assert.That(await Catalog.ListRepositoriesAsync(Registry), Is.EqualTo(new[] { "pushed", "team/new" }));
            Assert.That(await Catalog.ListRepositorySummariesAsync(Registry), Is.EqualTo(new[]
            {
                new CatalogRepositoryRecord("pushed", T0.AddHours(1), "MUTABLE", 1),
                new CatalogRepositoryRecord("team/new", T0, "IMMUTABLE", 0),
            }));
            Assert.That(await Catalog.RepositoryExistsAsync(Registry, "team/new", CancellationToken.None), Is.True);
        });
    }

    [Test]
    public async Task A_push_into_a_created_repository_keeps_its_creation_time_and_counts_the_image()
    {
        await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("app", T0, "MUTABLE"));
        await Catalog.UpsertImageAsync(Image("app", DigestA, pushedAt: T0.AddDays(2)));
        await Catalog.UpsertImageAsync(Image("app", DigestB, pushedAt: T0.AddDays(3)));

        Assert.That(await Catalog.ListRepositorySummariesAsync(Registry), Is.EqualTo(new[] { new CatalogRepositoryRecord("app", T0, "MUTABLE", 2) }));
        Assert.That((await Catalog.ListCatalogRepositoriesAsync(Configuration, Registry, CancellationToken.None)).Single().CreatedAt, Is.EqualTo(T0));
    }

    [Test]
    public async Task Creating_an_existing_repository_stores_nothing()
    {
        await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("made", T0, "IMMUTABLE"));
        await Catalog.UpsertImageAsync(Image("pushed", DigestA));

        Assert.Multiple(async () =>
        {
            Assert.That(await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("made", T0.AddDays(1), "MUTABLE")), Is.False);
            Assert.That(await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("pushed", T0.AddDays(1), "IMMUTABLE")), Is.False,
                "a repository that holds pushed images exists");
            Assert.That(await Catalog.TryCreateRepositoryAsync("other-registry", new CatalogRepositoryRecord("made", T0, "MUTABLE")), Is.True,
                "names are per registry");
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "made"), Is.EqualTo(new CatalogRepositoryRecord("made", T0, "IMMUTABLE", 0)));
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "pushed"), Is.EqualTo(new CatalogRepositoryRecord("pushed", T0, "MUTABLE", 1)));
        });
    }

    [Test]
    public async Task Parallel_creates_of_one_repository_have_exactly_one_winner()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("race", T0.AddSeconds(i), "MUTABLE")))));

        Assert.That(attempts.Count(won => won), Is.EqualTo(1));
        Assert.That(await Catalog.ListRepositoriesAsync(Registry), Is.EqualTo(new[] { "race" }));
    }

    [Test]
    public async Task Deleting_an_empty_created_repository_removes_it()
    {
        await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("empty", T0, "IMMUTABLE"));

        var deletion = await Catalog.DeleteRepositoryAsync(Registry, "empty", force: false);

        Assert.That(deletion.Outcome, Is.EqualTo(RepositoryDeletionOutcome.DELETED));
        Assert.That(deletion.Repository, Is.EqualTo(new CatalogRepositoryRecord("empty", T0, "IMMUTABLE", 0)));
        Assert.That(deletion.Images, Is.Empty);
        Assert.That(await Catalog.GetRepositoryAsync(Registry, "empty"), Is.Null);
        Assert.That((await Catalog.DeleteRepositoryAsync(Registry, "empty", force: true)).Outcome, Is.EqualTo(RepositoryDeletionOutcome.NOT_FOUND));
        Assert.That(await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("empty", T0.AddDays(1), "MUTABLE")), Is.True,
            "the name is free again");
    }

    [Test]
    public async Task A_repository_with_images_is_deleted_only_when_forced_and_takes_its_images_and_tags()
    {
        await Catalog.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("app", T0, "MUTABLE"));
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1"], pushedAt: T0.AddHours(1)));
        await Catalog.UpsertImageAsync(Image("app", DigestB, ["v2", "latest"], pushedAt: T0.AddHours(2)));
        await Catalog.UpsertImageAsync(Image("app-other", DigestC, ["v1"]));

        var refused = await Catalog.DeleteRepositoryAsync(Registry, "app", force: false);
        Assert.That(refused.Outcome, Is.EqualTo(RepositoryDeletionOutcome.NOT_EMPTY));
        Assert.That(refused.Images, Is.Empty);
        Assert.That((await Catalog.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(10))).Images, Has.Count.EqualTo(2), "nothing removed");

        var deletion = await Catalog.DeleteRepositoryAsync(Registry, "app", force: true);

        Assert.Multiple(async () =>
        {
            Assert.That(deletion.Outcome, Is.EqualTo(RepositoryDeletionOutcome.DELETED));
            Assert.That(deletion.Repository, Is.EqualTo(new CatalogRepositoryRecord("app", T0, "MUTABLE", 2)));
            Assert.That(deletion.Images.Select(i => (i.Digest, string.Join(',', i.Tags))),
                Is.EqualTo(new[] { (DigestA, "v1"), (DigestB, "v2,latest") }));
            Assert.That(await Catalog.GetRepositoryAsync(Registry, "app"), Is.Null);
            Assert.That(await Catalog.GetImageAsync(Registry, "app", DigestA), Is.Null);
            Assert.That(await Catalog.FindImageByTagAsync(Registry, "app", "latest"), Is.Null, "the tags went with the images");
            Assert.That((await Catalog.FindImageByTagAsync(Registry, "app-other", "v1"))?.Digest, Is.EqualTo(DigestC), "another repository keeps its own");
            Assert.That(await Catalog.ListRepositoriesAsync(Registry), Is.EqualTo(new[] { "app-other" }));
        });

        // A push after the deletion makes the repository again, from that push, with no tag left over from before.
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v3"], pushedAt: T0.AddDays(5)));
        Assert.That(await Catalog.GetRepositoryAsync(Registry, "app"), Is.EqualTo(new CatalogRepositoryRecord("app", T0.AddDays(5), "MUTABLE", 1)));
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "v3" }));
    }

    [Test]
    public async Task A_repository_made_by_pushes_alone_can_be_deleted_forced()
    {
        await Catalog.UpsertImageAsync(Image("pushed", DigestA));

        var deletion = await Catalog.DeleteRepositoryAsync(Registry, "pushed", force: true);

        Assert.That(deletion.Outcome, Is.EqualTo(RepositoryDeletionOutcome.DELETED));
        Assert.That(deletion.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestA }));
        Assert.That(await Catalog.ListRepositoriesAsync(Registry), Is.Empty);
    }

    [Test]
    public async Task A_deletion_in_a_unit_of_work_that_is_not_committed_removes_nothing()
    {
        await Catalog.UpsertImageAsync(Image("kept", DigestA));
        await using (var work = await Database.BeginAsync())
        {
            var deletion = await Catalog.In(work).DeleteRepositoryAsync(Registry, "kept", force: true);
            Assert.That(deletion.Outcome, Is.EqualTo(RepositoryDeletionOutcome.DELETED));
        }

        Assert.That(await Catalog.GetImageAsync(Registry, "kept", DigestA), Is.Not.Null);
    }
}
