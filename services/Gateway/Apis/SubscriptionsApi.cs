using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

/// <summary>
/// HTTP webhook subscriptions: each POSTs the EventBridge envelopes its event pattern selects, signed with its secret.
/// Findings owns and validates them; this is their REST face.
/// </summary>
public static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptionsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPut("/{id:guid}", Update);
        group.MapDelete("/{id:guid}", Delete);
        group.MapGet("/{id:guid}/dead-letters", ListDeadLetters);
        group.MapPost("/{id:guid}/dead-letters/replay", Replay);
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, IRequestClient<CreateSubscription> client, CancellationToken ct)
    {
        var (definition, error) = await ReadDefinitionAsync(request, ct);
        if (definition is null) return ApiErrors.Error("InvalidParameterException", error!);
        var result = (await client.GetResponse<SubscriptionResult>(new CreateSubscription(definition), ct)).Message;
        if (result.Error is not null) return ApiErrors.Error("InvalidParameterException", result.Error);
        var body = View(result.Subscription!);
        // The only time the secret leaves the platform.
        body["secret"] = result.Secret;
        return Results.Created($"/api/v1/subscriptions/{result.Subscription!.Id}", body);
    }

    private static async Task<IResult> List(IRequestClient<ListSubscriptions> client, CancellationToken ct)
    {
        var result = (await client.GetResponse<SubscriptionListResult>(new ListSubscriptions(), ct)).Message;
        return Results.Json(new JsonObject { ["subscriptions"] = new JsonArray(result.Subscriptions.Select(s => (JsonNode?)View(s)).ToArray()) });
    }

    private static async Task<IResult> Get(Guid id, IRequestClient<GetSubscription> client, CancellationToken ct)
    {
        var result = (await client.GetResponse<SubscriptionResult>(new GetSubscription(id), ct)).Message;
        return result.Found ? Results.Json(View(result.Subscription!)) : NotFound(id);
    }

    private static async Task<IResult> Update(Guid id, HttpRequest request, IRequestClient<UpdateSubscription> client, CancellationToken ct)
    {
        var (definition, error) = await ReadDefinitionAsync(request, ct);
        if (definition is null) return ApiErrors.Error("InvalidParameterException", error!);
        var result = (await client.GetResponse<SubscriptionResult>(new UpdateSubscription(id, definition), ct)).Message;
        if (!result.Found) return NotFound(id);
        return result.Error is not null ? ApiErrors.Error("InvalidParameterException", result.Error) : Results.Json(View(result.Subscription!));
    }

    private static async Task<IResult> Delete(Guid id, IRequestClient<DeleteSubscription> client, CancellationToken ct)
    {
        var result = (await client.GetResponse<SubscriptionResult>(new DeleteSubscription(id), ct)).Message;
        return result.Found ? Results.NoContent() : NotFound(id);
    }

    private static async Task<IResult> ListDeadLetters(Guid id, IRequestClient<ListDeadLetters> client, CancellationToken ct)
    {
        var result = (await client.GetResponse<DeadLettersResult>(new ListDeadLetters(id), ct)).Message;
        return result.Found ? Results.Ok(new { deadLetters = result.DeadLetters }) : NotFound(id);
    }

    private static async Task<IResult> Replay(Guid id, IRequestClient<ReplayDeadLetters> client, CancellationToken ct)
    {
        var result = (await client.GetResponse<ReplayDeadLettersResult>(new ReplayDeadLetters(id), ct)).Message;
        return result.Found ? Results.Ok(new { replayed = result.Replayed }) : NotFound(id);
    }

    /// <summary>
    /// {"targetUrl": "...", "eventPattern": {...} (or the pattern as a JSON string, as EventBridge's API takes it),
    ///  "cloudEvents": false, "description": "..."}.
    /// </summary>
    private static async Task<(SubscriptionDefinition? Definition, string? Error)> ReadDefinitionAsync(HttpRequest request, CancellationToken ct)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return (null, "The subscription could not be read as JSON: " + e.Message);
        }
        if (node is not JsonObject body) return (null, "The body must be a JSON object with targetUrl and eventPattern.");
        if (body["targetUrl"] is not JsonValue url || url.GetValueKind() != JsonValueKind.String)
            return (null, "targetUrl is required: the http:// or https:// URL the events are POSTed to.");
        var pattern = body["eventPattern"] switch
        {
            JsonObject o => o.ToJsonString(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        };
        if (pattern is null) return (null, "eventPattern is required: an EventBridge event pattern (a JSON object), e.g. {\"detail-type\":[\"ECR Image Scan\"]}.");
        var cloudEvents = body["cloudEvents"] switch
        {
            null => false,
            JsonValue b when b.GetValueKind() is JsonValueKind.True or JsonValueKind.False => b.GetValue<bool>(),
            _ => (bool?)null,
        };
        if (cloudEvents is null) return (null, "cloudEvents must be true or false.");
        var description = body["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : null;
        return (new SubscriptionDefinition(url.GetValue<string>(), pattern, cloudEvents.Value, description), null);
    }

    private static JsonObject View(SubscriptionView s) => new()
    {
        ["id"] = s.Id.ToString(),
        ["targetUrl"] = s.TargetUrl,
        ["eventPattern"] = JsonNode.Parse(s.EventPattern),
        ["cloudEvents"] = s.CloudEvents,
        ["description"] = s.Description,
        ["createdAt"] = s.CreatedAt.ToString("o"),
        ["updatedAt"] = s.UpdatedAt.ToString("o"),
    };

    private static IResult NotFound(Guid id) =>
        ApiErrors.Error("SubscriptionNotFoundException", $"No subscription with id {id}.", StatusCodes.Status404NotFound);
}
