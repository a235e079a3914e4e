namespace ImageScanning.ScanRouter.Scanning;

/// <summary>
/// An ECR-style client error: <see cref="ErrorType"/> is the wire <c>__type</c>
/// (e.g. <c>InvalidParameterException</c>) and <see cref="Message"/> the wire <c>message</c>.
/// </summary>
public sealed record ScanningError(string ErrorType, string Message)
{
    public const string InvalidParameter = "InvalidParameterException";
    public const string Validation = "ValidationException";
    public const string LimitExceeded = "LimitExceededException";

    /// <summary>ECR's constraint wording: <c>Invalid parameter at 'p' failed to satisfy constraint: 'c'</c>.</summary>
    public static ScanningError InvalidParameterAt(string parameter, string constraint) =>
        new(InvalidParameter, $"Invalid parameter at '{parameter}' failed to satisfy constraint: '{constraint}'");

    /// <summary>The AWS (Coral) wording for a missing required member: <c>1 validation error detected: Value null at 'path' ...</c>.</summary>
    public static ScanningError RequiredMemberMissing(string path) =>
        new(Validation, $"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null");
}
