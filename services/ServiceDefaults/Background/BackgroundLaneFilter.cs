using MassTransit;

namespace ImageScanning.ServiceDefaults.Background;

/// <summary>Runs a consumer on the <see cref="BackgroundLane"/>: the innermost filter, so every retry of it runs there too.</summary>
public sealed class BackgroundLaneFilter<TConsumer>(BackgroundLane lane) : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next) =>
        lane.RunAsync(() => next.Send(context), context.CancellationToken);

    public void Probe(ProbeContext context) => context.CreateFilterScope("backgroundLane");
}
