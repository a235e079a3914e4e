namespace ImageScanning.Outbound;

/// <summary>Configuration section "Outbound": where the platform's own clients may connect beyond the public internet.</summary>
public sealed class OutboundOptions
{
    public const string SectionName = "Outbound";

    /// <summary>
    /// Destinations the address policy lets through although they are loopback, link-local, private, shared (CGNAT),
    /// multicast or reserved: IP addresses ("10.1.2.3"), CIDR ranges ("10.0.0.0/8", "fd00::/8") or host names
    /// ("hooks.internal", exact, case-insensitive). Empty by default: only public addresses are reachable.
    /// </summary>
    public List<string> AllowList { get; set; } = [];
}
