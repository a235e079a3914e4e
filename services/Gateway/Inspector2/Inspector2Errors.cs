using ImageScanning.Gateway.Aws;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>Inspector2's errors (REST-JSON: the HTTP status, <c>x-amzn-ErrorType</c> and a <c>message</c> body).</summary>
public static class Inspector2Errors
{
    /// <summary>ValidationException (400); <paramref name="field"/> names the member at fault (Inspector's <c>fields</c>).</summary>
    public static Inspector2Exception Validation(string message, string? field = null) =>
        new("ValidationException", message, StatusCodes.Status400BadRequest, field is null ? "OTHER" : "FIELD_VALIDATION_FAILED", field);

    public static Inspector2Exception NotFound(string message) => new("ResourceNotFoundException", message, StatusCodes.Status404NotFound);

    public static Inspector2Exception Throttling(string message) => new("ThrottlingException", message, StatusCodes.Status429TooManyRequests);

    public static Inspector2Exception Conflict(string message) => new("ConflictException", message, StatusCodes.Status409Conflict);
}

/// <summary>An Inspector2 error; a ValidationException also carries Inspector's <c>reason</c> and the field at fault.</summary>
public sealed class Inspector2Exception(string type, string message, int status, string? reason = null, string? field = null)
    : AwsApiException(type, message, status)
{
    public string? Reason { get; } = reason;
    public string? Field { get; } = field;
}
