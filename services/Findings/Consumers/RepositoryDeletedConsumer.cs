using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// A repository was deleted with its images (ECR DeleteRepository): each image's open findings close, as when an image leaves its
/// re-scan window (the same closure as <see cref="ScanEligibilityExpiredConsumer"/>), and each closure is announced, in one unit of
/// work de-duplicated on the message id. The images' stored scans stay (a push of the same digest finds its history).
/// </summary>
public sealed class RepositoryDeletedConsumer(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database, FindingLifecycleService lifecycle)
    : IConsumer<RepositoryDeleted>
{
    public async Task Consume(ConsumeContext<RepositoryDeleted> context)
    {
        await using var work = await database.BeginAsync<RepositoryDeletedConsumer>(context);
        if (work.AlreadyHandled) return;
        var inWork = lifecycle.In(work);
        foreach (var image in context.Message.Images)
        {
            var changes = await inWork.ExpireAsync(image, context.Message.DeletedAt, context.CancellationToken);
            foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        }
        await work.CommitAsync<RepositoryDeletedConsumer>(context);
    }
}
