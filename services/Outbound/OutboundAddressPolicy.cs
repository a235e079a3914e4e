using System.Net;

namespace ImageScanning.Outbound;

/// <summary>Why a connection was not made: the host asked for, the address it came to, and the range that address is in.</summary>
public sealed record OutboundRefusal(string Host, IPAddress Address, string Range)
{
    /// <summary>"address 127.0.0.1 is loopback (localhost resolves to it); allow it with Outbound:AllowList". Nothing about ports or answers.</summary>
    public override string ToString() =>
        $"address {Address} is {Range}"
        + (IPAddress.TryParse(Host, out _) ? "" : $" ({Host} resolves to it)")
        + $"; only {OutboundOptions.SectionName}:AllowList lets such an address be reached";
}

/// <summary>
/// Decides, for each address a client is about to connect to, whether it may: public unicast addresses always, special-purpose
/// ranges (<see cref="AddressRanges"/>) only when the allow-list names the address, its range or the host name, or when the host
/// is the client's trusted host (a registry's configured Url). Applied at connect time by <see cref="OutboundConnector"/>, on the
/// address actually connected to, so a name that resolves differently later (DNS rebinding) gains nothing.
/// </summary>
public sealed class OutboundAddressPolicy
{
    private readonly List<IPNetwork> _networks = [];
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public OutboundAddressPolicy(OutboundOptions options)
    {
        foreach (var raw in options.AllowList)
        {
            var entry = raw?.Trim() ?? "";
            if (IPNetwork.TryParse(entry, out var network)) _networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
            {
                address = AddressRanges.Normalize(address);
                _networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns) _hosts.Add(entry.TrimEnd('.'));
            else
                throw new InvalidOperationException(
                    $"{OutboundOptions.SectionName}:AllowList has '{entry}', which is neither an IP address, a CIDR range (10.0.0.0/8) nor a host name.");
        }
    }

    /// <summary>No allow-list: public addresses only.</summary>
    public static OutboundAddressPolicy PublicOnly { get; } = new(new OutboundOptions());

    /// <summary>The allow-list names this host (or it is the trusted one): any address it resolves to may be reached.</summary>
    public bool AllowsHost(string host, string? trustedHost = null)
    {
        host = host.TrimEnd('.');
        return (trustedHost is not null && string.Equals(host, trustedHost.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) || _hosts.Contains(host);
    }

    /// <summary>Null when <paramref name="host"/> may be reached at <paramref name="address"/>; otherwise why not.</summary>
    public OutboundRefusal? Check(string host, IPAddress address, string? trustedHost = null)
    {
        if (AllowsHost(host, trustedHost)) return null;
        address = AddressRanges.Normalize(address);
        if (AddressRanges.SpecialRange(address) is not { } range) return null;
        return _networks.Any(n => n.Contains(address)) ? null : new OutboundRefusal(host, address, range);
    }

    /// <summary>
    /// Resolves <paramref name="host"/> and checks every address, for a decision before any request exists (a subscription being
    /// saved). Null when at least one address may be reached or the name does not resolve now (delivery checks again).
    /// </summary>
    public async Task<OutboundRefusal?> CheckHostAsync(string host, CancellationToken ct)
    {
        host = host.Trim('[', ']');
        if (AllowsHost(host)) return null;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return null;
            }
        }
        OutboundRefusal? first = null;
        foreach (var address in addresses)
        {
            if (Check(host, address) is not { } refusal) return null;
            first ??= refusal;
        }
        return first;
    }
}
