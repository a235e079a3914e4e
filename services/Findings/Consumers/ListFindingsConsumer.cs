using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Aws;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class ListFindingsConsumer(IFindingLifecycleStore store, AwsAccount account) : IConsumer<ListFindings>
{
    // The REST API keeps Inspector's 100; ECR's DescribeImageScanFindings asks for up to 1000 in one page.
    public const int MaxPageSize = 1000;

    public async Task Consume(ConsumeContext<ListFindings> context)
    {
        var query = context.Message;
        if (query.MaxResults is < 1 or > MaxPageSize)
        {
            await context.RespondAsync(new FindingsPage([], null, $"maxResults must be between 1 and {MaxPageSize}."));
            return;
        }
        FindingsPage page;
        try
        {
            page = await FindingCriteriaQuery.QueryAsync(store, query, account, context.CancellationToken);
        }
        catch (ArgumentException e)
        {
            page = new FindingsPage([], null, e.Message);
        }
        await context.RespondAsync(page);
    }
}
