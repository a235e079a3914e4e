namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// One release of a distribution and how long its vendor supports it, as endoflife.date records it.
/// </summary>
/// <param name="DistributionId">The os-release ID ("debian", "rhel", "amzn").</param>
/// <param name="Version">The release as os-release's VERSION_ID begins ("12", "3.19", "15.5"): an image's VERSION_ID matches
/// the release whose dotted components it starts with, the longest such release winning ("3.19.1" is "3.19", "8.9" is "8").</param>
/// <param name="EndOfSecuritySupport">The last day the vendor ships security fixes for free (Debian: LTS included; Ubuntu: standard
/// support); null when no end is announced.</param>
/// <param name="ExtendedSupportEnd">The end of paid or subscription support beyond that (Ubuntu ESM/Pro, RHEL ELS, SLES LTSS), or null.</param>
public sealed record DistributionRelease(
    string DistributionId, string Version, string? Codename, DateOnly? EndOfSecuritySupport, DateOnly? ExtendedSupportEnd = null)
{
    /// <summary>Whether the release gets no more free security fixes on <paramref name="today"/>.</summary>
    public bool IsEndOfLifeOn(DateOnly today) => EndOfSecuritySupport is { } end && today > end;
}

/// <summary>
/// How an endoflife.date product (its API file <c>&lt;Product&gt;.json</c>) maps onto an os-release ID, for the feed that updates the
/// code's table.
/// </summary>
/// <param name="ExtendedIsFreeSecuritySupport">True where the product's <c>extendedSupport</c> is free security support (Debian's LTS),
/// so it is the end of security support rather than an extended date.</param>
public sealed record EndOfLifeProduct(string Product, string DistributionId, bool ExtendedIsFreeSecuritySupport = false);
