using System.Net;
using ImageScanning.Outbound;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>The address ranges the Outbound policy refuses, and what its allow-list lets through.</summary>
public sealed class OutboundAddressPolicyTests
{
    [TestCase("127.0.0.1", AddressRanges.Loopback)]
    [TestCase("127.8.9.10", AddressRanges.Loopback)]
    [TestCase("::1", AddressRanges.Loopback)]
    [TestCase("::ffff:127.0.0.1", AddressRanges.Loopback)]
    [TestCase("64:ff9b::7f00:1", AddressRanges.Loopback)]
    [TestCase("169.254.169.254", AddressRanges.LinkLocal)]
    [TestCase("::ffff:169.254.169.254", AddressRanges.LinkLocal)]
    [TestCase("fe80::1", AddressRanges.LinkLocal)]
    [TestCase("10.1.2.3", AddressRanges.Private)]
    [TestCase("172.16.0.1", AddressRanges.Private)]
    [TestCase("172.31.255.254", AddressRanges.Private)]
    [TestCase("192.168.1.1", AddressRanges.Private)]
    [TestCase("fd00::1", AddressRanges.Private)]
    [TestCase("2002:c0a8:0101::1", AddressRanges.Private)]
    [TestCase("100.64.0.1", AddressRanges.SharedCgnat)]
    [TestCase("224.0.0.1", AddressRanges.Multicast)]
    [TestCase("ff02::1", AddressRanges.Multicast)]
    [TestCase("0.0.0.0", AddressRanges.Unspecified)]
    [TestCase("::", AddressRanges.Unspecified)]
    [TestCase("255.255.255.255", AddressRanges.Reserved)]
    [TestCase("8.8.8.8", null)]
    [TestCase("172.32.0.1", null)]
    [TestCase("100.128.0.1", null)]
    [TestCase("2606:4700:4700::1111", null)]
    public void Each_special_range_is_named(string address, string? range) =>
        Assert.That(AddressRanges.SpecialRange(IPAddress.Parse(address)), Is.EqualTo(range));

    [Test]
    public void The_allow_list_takes_addresses_ranges_and_host_names()
    {
        var policy = new OutboundAddressPolicy(new OutboundOptions { AllowList = ["127.0.0.1", "10.0.0.0/8", "hooks.internal"] });
        Assert.Multiple(() =>
        {
            Assert.That(policy.Check("127.0.0.1", IPAddress.Parse("127.0.0.1")), Is.Null);
            Assert.That(policy.Check("x", IPAddress.Parse("::ffff:127.0.0.1")), Is.Null, "an IPv4 entry covers its IPv4-mapped form");
            Assert.That(policy.Check("x", IPAddress.Parse("127.0.0.2"))!.Range, Is.EqualTo(AddressRanges.Loopback));
            Assert.That(policy.Check("x", IPAddress.Parse("10.20.30.40")), Is.Null);
            Assert.That(policy.Check("HOOKS.internal", IPAddress.Parse("192.168.0.9")), Is.Null, "host names match case-insensitively");
            Assert.That(policy.Check("other.internal", IPAddress.Parse("192.168.0.9"))!.ToString(),
                Does.StartWith("address 192.168.0.9 is private (other.internal resolves to it)"));
            Assert.That(policy.Check("registry", IPAddress.Parse("192.168.0.9"), trustedHost: "registry"), Is.Null, "a registry's own host");
            Assert.That(policy.Check("example.com", IPAddress.Parse("93.184.215.14")), Is.Null, "public addresses need no entry");
        });
    }

    [Test]
    public void A_malformed_entry_is_refused_at_start_naming_it()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new OutboundAddressPolicy(new OutboundOptions { AllowList = ["10.0.0.0/33"] }));
        Assert.That(e!.Message, Does.Contain("'10.0.0.0/33'").And.Contain("Outbound:AllowList"));
    }

    [Test]
    public async Task A_host_name_that_resolves_to_loopback_is_refused_at_connect_time()
    {
        var e = Assert.ThrowsAsync<OutboundAddressRefusedException>(async () =>
            await OutboundConnector.ConnectAsync(OutboundAddressPolicy.PublicOnly, null, new DnsEndPoint("localhost", 9), CancellationToken.None));
        Assert.That(e!.Refusal.Range, Is.EqualTo(AddressRanges.Loopback));
        Assert.That(e.Message, Does.StartWith("refused: address ").And.Contain("is loopback (localhost resolves to it)"));
        await Task.CompletedTask;
    }
}
