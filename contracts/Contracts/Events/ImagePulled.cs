namespace ImageScanning.Contracts;

/// <summary>A registry told us a manifest was pulled (fetched by digest or tag). Keeps an image inside its pull-date re-scan window.</summary>
public sealed record ImagePulled(string DeliveryId, string Registry, string Repository, string Digest, DateTimeOffset PulledAt);
