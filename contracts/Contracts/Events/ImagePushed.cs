namespace ImageScanning.Contracts;

/// <summary>A registry told us a manifest was pushed. DeliveryId is the registry's own event id, for de-duplication.</summary>
public sealed record ImagePushed(
    string DeliveryId, string Registry, string Repository, string Digest, string? Tag, string MediaType, DateTimeOffset PushedAt);
