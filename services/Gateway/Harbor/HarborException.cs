namespace ImageScanning.Gateway.Harbor;

/// <summary>A refusal of the Scanner API: its HTTP status and the message of its ErrorResponse <c>{"error":{"message"}}</c>.</summary>
public sealed class HarborException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>400: the body is not JSON, or a value has the wrong JSON type.</summary>
    public static HarborException InvalidJson(string message) => new(StatusCodes.Status400BadRequest, message);

    /// <summary>422: a field is missing or its value is not acceptable.</summary>
    public static HarborException InvalidField(string message) => new(StatusCodes.Status422UnprocessableEntity, message);

    /// <summary>501: a capability or report type this scanner does not have.</summary>
    public static HarborException NotSupported(string message) => new(StatusCodes.Status501NotImplemented, message);
}
