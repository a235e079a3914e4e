using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class ListFindingsConsumer(IFindingLifecycleStore store) : IConsumer<ListFindings>
{
    public async Task Consume(ConsumeContext<ListFindings> context)
    {
        var query = context.Message;
        if (query.MaxResults is < 1 or > 100)
        {
            await context.RespondAsync(new FindingsPage([], null, "maxResults must be between 1 and 100."));
            return;
        }
        FindingsPage page;
        try
        {
            page = await store.QueryAsync(query, context.CancellationToken);
        }
        catch (ArgumentException e)
        {
            page = new FindingsPage([], null, e.Message);
        }
        await context.RespondAsync(page);
    }
}
