namespace ImageScanning.Contracts;

/// <summary>
/// Published by ScanRouter (through its outbox, in the unit of work that removed the catalog entry) when a repository was deleted
/// (ECR DeleteRepository): <see cref="Images"/> are the catalogued images removed with it. Findings closes their open findings,
/// as ECR's deletion of the images ends Inspector's findings of them.
/// </summary>
public sealed record RepositoryDeleted(string Registry, string Repository, IReadOnlyList<ImageRef> Images, DateTimeOffset DeletedAt);
