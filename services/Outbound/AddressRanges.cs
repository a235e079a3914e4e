using System.Net;
using System.Net.Sockets;

namespace ImageScanning.Outbound;

/// <summary>
/// The special-purpose ranges (RFC 6890 and friends) a request the platform makes on someone else's say-so must not reach:
/// the host itself, its link (cloud metadata at 169.254.169.254), the private networks behind it.
/// </summary>
public static class AddressRanges
{
    public const string Loopback = "loopback";
    public const string LinkLocal = "link-local";
    public const string Private = "private";
    public const string SharedCgnat = "shared address space (CGNAT, 100.64.0.0/10)";
    public const string Multicast = "multicast";
    public const string Unspecified = "unspecified";
    public const string Reserved = "reserved";

    private static readonly (IPNetwork Network, string Range)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/32"), Unspecified),
        (IPNetwork.Parse("0.0.0.0/8"), Reserved),
        (IPNetwork.Parse("127.0.0.0/8"), Loopback),
        (IPNetwork.Parse("10.0.0.0/8"), Private),
        (IPNetwork.Parse("172.16.0.0/12"), Private),
        (IPNetwork.Parse("192.168.0.0/16"), Private),
        (IPNetwork.Parse("100.64.0.0/10"), SharedCgnat),
        (IPNetwork.Parse("169.254.0.0/16"), LinkLocal),
        (IPNetwork.Parse("192.0.0.0/24"), Reserved),
        (IPNetwork.Parse("192.0.2.0/24"), Reserved),
        (IPNetwork.Parse("198.18.0.0/15"), Reserved),
        (IPNetwork.Parse("198.51.100.0/24"), Reserved),
        (IPNetwork.Parse("203.0.113.0/24"), Reserved),
        (IPNetwork.Parse("224.0.0.0/4"), Multicast),
        (IPNetwork.Parse("240.0.0.0/4"), Reserved), // and 255.255.255.255, broadcast
    ];

    private static readonly (IPNetwork Network, string Range)[] V6 =
    [
        (IPNetwork.Parse("::/128"), Unspecified),
        (IPNetwork.Parse("::1/128"), Loopback),
        (IPNetwork.Parse("::/96"), Reserved), // IPv4-compatible, deprecated
        (IPNetwork.Parse("100::/64"), Reserved), // discard
        (IPNetwork.Parse("2001:db8::/32"), Reserved), // documentation
        (IPNetwork.Parse("fe80::/10"), LinkLocal),
        (IPNetwork.Parse("fec0::/10"), Private), // site-local, deprecated
        (IPNetwork.Parse("fc00::/7"), Private),
        (IPNetwork.Parse("ff00::/8"), Multicast),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>An IPv4-mapped IPv6 address (::ffff:127.0.0.1) as the IPv4 address it is.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The name of the special range <paramref name="address"/> lies in, or null for a public unicast address.</summary>
    public static string? SpecialRange(IPAddress address)
    {
        address = Normalize(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return V4.FirstOrDefault(r => r.Network.Contains(address)).Range;
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return Reserved;
        var special = V6.FirstOrDefault(r => r.Network.Contains(address)).Range;
        if (special is not null) return special;
        // Translation prefixes carry an IPv4 address inside: 64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 gateway.
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address)) return SpecialRange(new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address)) return SpecialRange(new IPAddress(bytes.AsSpan(2, 4)));
        return null;
    }
}
