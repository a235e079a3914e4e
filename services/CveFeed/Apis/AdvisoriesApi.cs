using System.IO.Compression;
using System.Text;
using ImageScanning.CveFeed.Feeds;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace ImageScanning.CveFeed.Apis;

public static class AdvisoriesApi
{
    public static RouteGroupBuilder MapAdvisoriesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/advisories").WithTags("Advisories");
        // Each format is bounded by its own CveFeed:Uploads limit (BoundedRequestBody), which raises Kestrel's cap for the request.
        group.MapPost("", Upload);
        group.MapGet("/status", Status);
        group.MapGet("/export", Export);
        group.MapGet("/{id}", Get);
        return api;
    }

    /// <summary>
    /// For air-gapped sites: an OSV zip (application/zip) or one OSV record (application/json); with
    /// ?format=debian-tracker or ?format=alpine-secdb, that feed's native document instead.
    /// </summary>
    private static async Task<IResult> Upload(
        HttpRequest request, string? format, AdvisoryImportService importer, FeedRunner feeds, IOptions<AdvisoryUploadOptions> limits, CancellationToken ct)
    {
        try
        {
            return await ImportAsync(request, format, importer, feeds, limits.Value, ct);
        }
        catch (RequestBodyTooLargeException e)
        {
            return Results.Json(new { message = e.Message }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
    }

    private static async Task<IResult> ImportAsync(
        HttpRequest request, string? format, AdvisoryImportService importer, FeedRunner feeds, AdvisoryUploadOptions limits, CancellationToken ct)
    {
        const string Section = AdvisoryUploadOptions.Section;
        var contentType = request.ContentType ?? "";
        ImportResult result;
        var native = format is null or "" or "osv" ? null : EcosystemCatalog.FindNativeFeed(format)?.CreateReader();
        if (native is null && format is not (null or "" or "osv"))
            return Results.BadRequest(new
            {
                message = $"Unknown format '{format}': use osv, {string.Join(", ", EcosystemCatalog.NativeFeeds.Select(f => f.Name))}.",
            });
        if (native is not null)
        {
            var document = BoundedRequestBody.For(request, limits.MaxNativeBytes, $"{Section}:MaxNativeBytes");
            result = await importer.ImportNativeAsync(native, document, ct, FeedKinds.Upload);
        }
        else if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            var record = BoundedRequestBody.For(request, limits.MaxJsonBytes, $"{Section}:MaxJsonBytes");
            result = await importer.ImportJsonAsync(await record.ReadTextAsync(ct), "upload", ct);
        }
        else if (contentType.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase))
        {
            // A zip needs a seekable stream: spool the upload to a temporary file, deleted on close.
            await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            await BoundedRequestBody.For(request, limits.MaxZipBytes, $"{Section}:MaxZipBytes").CopyToAsync(spool, ct);
            spool.Position = 0;
            result = await importer.ImportZipAsync(spool, "upload", ct);
        }
        else
        {
            return Results.Json(new { message = "Send an OSV zip as application/zip or one OSV record as application/json." },
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        await feeds.RecordUploadAsync(result, ct);
        var body = new
        {
            result.Added, result.Changed, result.MetadataChanged, result.Unchanged, result.Failed,
            failures = result.Failures.Take(100),
            newOrChanged = result.NewOrChanged.Select(a => a.Id).Take(1000),
        };
        return result.Failed > 0 && result.Total == result.Failed ? Results.BadRequest(body) : Results.Ok(body);
    }

    /// <summary>Marks the zip as CveFeed's export (its archive comment), so `imagescan db import` can name the bundle it imported.</summary>
    public const string ExportComment = "imagescan-cvefeed-export/1";

    /// <summary>
    /// Every stored advisory as an OSV zip (one ID.json per record, flat, like osv.dev's all.zip) for air-gapped CLIs
    /// (`imagescan db import`). Streamed: records are read from the store and written to the response one by one.
    /// </summary>
    private static IResult Export(IAdvisoryStore store, TimeProvider clock, CancellationToken ct)
    {
        if (store is not IAdvisoryExportSource source)
            return Results.Json(new { message = "This advisory store cannot export." }, statusCode: StatusCodes.Status501NotImplemented);
        var name = $"advisories-{clock.GetUtcNow():yyyyMMddTHHmmssZ}.zip";
        return Results.Stream(body => WriteExportAsync(source, body, ct), "application/zip", name);
    }

    private static async Task WriteExportAsync(IAdvisoryExportSource source, Stream body, CancellationToken ct)
    {
        var buffer = new DrainedWriteBuffer();
        await using (var zip = await ZipArchive.CreateAsync(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            zip.Comment = ExportComment;
            await foreach (var advisory in source.ReadAllJsonAsync(ct))
            {
                // An id is a file name in OSV's own zips; a path separator in one must not make a directory.
                var entry = zip.CreateEntry(advisory.Id.Replace('/', '_').Replace('\\', '_') + ".json", CompressionLevel.Fastest);
                await using (var stream = await entry.OpenAsync(ct))
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(advisory.RawJson), ct);
                await buffer.DrainToAsync(body, ct);
            }
        }
        await buffer.DrainToAsync(body, ct);
    }

    private static async Task<IResult> Status(IAdvisoryStore store, CancellationToken ct) =>
        Results.Ok(new { advisories = await store.CountAsync(ct), lastChangedAt = await store.LastChangedAsync(ct) });

    private static async Task<IResult> Get(string id, IAdvisoryStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } advisory
            ? Results.Ok(advisory)
            : Results.NotFound(new { message = $"No advisory {id}." });
}
