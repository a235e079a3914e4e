namespace ImageScanning.Outbound;

/// <summary>
/// Thrown by <see cref="OutboundConnector"/> instead of connecting; HttpClient hands it on as the inner exception of an
/// HttpRequestException, which <see cref="Find"/> digs out.
/// </summary>
public sealed class OutboundAddressRefusedException(OutboundRefusal refusal) : IOException("refused: " + refusal)
{
    public OutboundRefusal Refusal { get; } = refusal;

    /// <summary>The refusal somewhere in <paramref name="e"/>'s chain of inner exceptions, if it is one.</summary>
    public static OutboundAddressRefusedException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is OutboundAddressRefusedException refused) return refused;
        return null;
    }
}
