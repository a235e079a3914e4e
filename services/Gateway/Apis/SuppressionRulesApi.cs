using System.Text.Json;
using ImageScanning.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Apis;

/// <summary>Suppression rules (Inspector filters with action SUPPRESS): CRUD; Findings re-applies them to the open findings.</summary>
public static class SuppressionRulesApi
{
    /// <summary>The body of a create or replace.</summary>
    public sealed record SuppressionRuleBody(string? Name, string? Reason, SuppressionFilter? Filter, DateTimeOffset? ExpiresAt);

    public static RouteGroupBuilder MapSuppressionRulesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/suppression-rules").WithTags("Suppression rules");
        group.MapGet("", List).Produces<SuppressionRulesResult>();
        group.MapGet("/{id}", Get).Produces<SuppressionRule>().Produces(StatusCodes.Status404NotFound);
        group.MapPost("", Create).Accepts<SuppressionRuleBody>("application/json").Produces(StatusCodes.Status201Created).Produces(StatusCodes.Status400BadRequest);
        group.MapPut("/{id}", Replace).Accepts<SuppressionRuleBody>("application/json").Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Delete).Produces(StatusCodes.Status204NoContent).Produces(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> List(IRequestClient<ListSuppressionRules> client, CancellationToken ct)
    {
        var response = await client.GetResponse<SuppressionRulesResult>(new ListSuppressionRules(), ct);
        return Results.Ok(new { rules = response.Message.Rules });
    }

    private static async Task<IResult> Get(string id, IRequestClient<ListSuppressionRules> client, CancellationToken ct)
    {
        var response = await client.GetResponse<SuppressionRulesResult>(new ListSuppressionRules(), ct);
        return response.Message.Rules.FirstOrDefault(r => r.Id == id) is { } rule ? Results.Ok(rule) : NotFound(id);
    }

    private static Task<IResult> Create(HttpRequest request, IOptions<JsonOptions> json, IRequestClient<SaveSuppressionRule> client, CancellationToken ct) =>
        SaveAsync(null, request, json, client, ct);

    private static Task<IResult> Replace(string id, HttpRequest request, IOptions<JsonOptions> json, IRequestClient<SaveSuppressionRule> client, CancellationToken ct) =>
        SaveAsync(id, request, json, client, ct);

    private static async Task<IResult> SaveAsync(
        string? id, HttpRequest request, IOptions<JsonOptions> json, IRequestClient<SaveSuppressionRule> client, CancellationToken ct)
    {
        var (body, error) = await JsonBodies.ReadAsync<SuppressionRuleBody>(request, json.Value.SerializerOptions, "suppression rule", ct);
        if (body is null) return error!;
        if (body.Filter is null) return ApiErrors.Error("ValidationException", "A suppression rule needs a filter.");

        var response = await client.GetResponse<SuppressionRulesResult>(
            new SaveSuppressionRule(id, body.Name ?? "", body.Reason ?? "", body.Filter, body.ExpiresAt), ct);
        var result = response.Message;
        if (result.NotFound) return NotFound(id!);
        if (result.ErrorMessage is not null) return ApiErrors.Error("ValidationException", result.ErrorMessage);
        var payload = new { rule = result.Rules[0], findingsChanged = result.FindingsChanged };
        return id is null ? Results.Created($"/api/v1/suppression-rules/{result.Rules[0].Id}", payload) : Results.Ok(payload);
    }

    private static async Task<IResult> Delete(string id, IRequestClient<DeleteSuppressionRule> client, CancellationToken ct)
    {
        var response = await client.GetResponse<SuppressionRulesResult>(new DeleteSuppressionRule(id), ct);
        return response.Message.NotFound ? NotFound(id) : Results.NoContent();
    }

    private static IResult NotFound(string id) =>
        ApiErrors.Error("ResourceNotFoundException", $"No suppression rule '{id}'.", StatusCodes.Status404NotFound);
}
