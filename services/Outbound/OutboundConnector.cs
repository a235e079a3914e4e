using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;

namespace ImageScanning.Outbound;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself and connects only to addresses the policy
/// allows. The check is on the address the socket is opened to, after resolution, so nothing between a check and the
/// connection can change the answer.
/// </summary>
public static class OutboundConnector
{
    /// <summary>A handler whose every new connection passes <paramref name="policy"/>; <paramref name="trustedHost"/> may be reached at any address.</summary>
    public static SocketsHttpHandler CreateHandler(OutboundAddressPolicy policy, string? trustedHost = null)
    {
        var handler = new SocketsHttpHandler { ConnectCallback = (context, ct) => ConnectAsync(policy, trustedHost, context.DnsEndPoint, ct) };
        return handler;
    }

    public static async ValueTask<Stream> ConnectAsync(OutboundAddressPolicy policy, string? trustedHost, DnsEndPoint endpoint, CancellationToken ct)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        OutboundRefusal? refused = null;
        Exception? failure = null;
        foreach (var address in addresses)
        {
            if (policy.Check(host, address, trustedHost) is { } refusal)
            {
                refused ??= refusal;
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e; // try the next address, as the default connect does
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        if (refused is not null) throw new OutboundAddressRefusedException(refused);
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
