namespace ImageScanning.Gateway.Aws;

/// <summary>An error of an AWS-compatible API: the wire error name (<c>__type</c>), its message and the HTTP status AWS answers with.</summary>
public class AwsApiException(string type, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public string Type { get; } = type;
    public int Status { get; } = status;
}
