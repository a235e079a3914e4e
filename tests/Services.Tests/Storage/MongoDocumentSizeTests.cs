using System.Security.Cryptography;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScannerCore.Inventory;
using MongoDB.Bson;

namespace ImageScanning.Services.Tests.Storage;

/// <summary>
/// Offline (no server): the documents the Mongo stores write for a large image, built by the stores' own document code, measured
/// as BSON (what the server's 16 MiB limit counts) and read back through the stores' read path. The figures go to the test output.
/// </summary>
public sealed class MongoDocumentSizeTests
{
    private const int Findings = 10_000;
    private const int Packages = 50_000;
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T01:00:00Z");

    [Test]
    public void A_10000_finding_scan_is_one_document_far_under_the_limit_and_reads_back()
    {
        var scan = LargeImage.Scan(Findings);
        var document = MongoFindingsStore.ToDocument(scan);
        var size = document.ToBson().Length;
        var plain = FindingsJson.Serialize(scan).Length;
        TestContext.Out.WriteLine($"scans: {Findings} findings, JSON {plain:N0} chars, stored document {size:N0} bytes ({Percent(size)} of 16 MiB)");

        var back = MongoFindingsStore.FromDocument(BsonDocumentRoundTrip(document));
        Assert.Multiple(() =>
        {
            Assert.That(size, Is.LessThan(MongoDocumentLimit.MaxDocumentBytes / 4), "a quarter of the limit leaves room for larger images");
            Assert.That(plain, Is.GreaterThan(MongoDocumentLimit.MaxDocumentBytes / 4), "uncompressed it would not be far under the limit");
            Assert.That(back.Findings, Has.Count.EqualTo(Findings));
            Assert.That(back.Findings[^1].Package, Is.EqualTo(scan.Findings[^1].Package));
            Assert.That(FindingsJson.Serialize(back), Is.EqualTo(FindingsJson.Serialize(scan)));
        });
    }

    [Test]
    public void A_50000_package_inventory_is_one_document_far_under_the_limit_in_both_stores_and_reads_back()
    {
        var stored = LargeImage.Inventory(Packages);
        var scanner = MongoInventoryStore.ToDocument(stored);
        var scannerSize = scanner.ToBson().Length;
        var image = LargeImage.Image;
        var lifecycleInventory = new ImageInventory(image, ScanType.ENHANCED, new OperatingSystemInfo("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
            stored.Packages.Select(p => new PackageRecord(p.Name, p.Version, p.Type, "Debian:12", p.SourceName, p.SourceVersion, p.Architecture, p.FilePath, p.LayerDigest)).ToList(),
            T0);
        var lifecycle = MongoFindingLifecycleStore.InventoryField(FindingRecord.KeyOf(image), lifecycleInventory);
        var lifecycleSize = lifecycle.ToBson().Length;
        TestContext.Out.WriteLine($"inventories: {Packages} packages, JSON {InventoryJson.Serialize(stored).Length:N0} chars, stored document {scannerSize:N0} bytes ({Percent(scannerSize)} of 16 MiB)");
        TestContext.Out.WriteLine($"finding_images: {Packages} packages, image document {lifecycleSize:N0} bytes ({Percent(lifecycleSize)} of 16 MiB)");

        var back = MongoInventoryStore.FromDocument(BsonDocumentRoundTrip(scanner));
        Assert.Multiple(() =>
        {
            Assert.That(scannerSize, Is.LessThan(MongoDocumentLimit.MaxDocumentBytes / 4));
            Assert.That(lifecycleSize, Is.LessThan(MongoDocumentLimit.MaxDocumentBytes / 4));
            Assert.That(back.Packages, Is.EqualTo(stored.Packages));
            Assert.That(back with { Packages = [] }, Is.EqualTo(stored with { Packages = [] }));
        });
    }

    [Test]
    public void An_outbox_message_carrying_a_large_image_is_compressed_under_the_limit_and_reads_back_as_sent()
    {
        // What an ImageScanned of this image carries: its packages and its findings.
        var body = "{\"inventory\":" + InventoryJson.Serialize(LargeImage.Inventory(Packages)) + ",\"scan\":" + FindingsJson.Serialize(LargeImage.Scan(Findings)) + "}";
        var message = new ImageScanning.ServiceDefaults.Outbox.OutboxMessage(Guid.NewGuid(), "ImageScanned", body, null, null, T0);
        var small = message with { MessageId = Guid.NewGuid(), Body = "{\"scanId\":1}" };

        var document = ImageScanning.ServiceDefaults.Outbox.MongoOutboxStore.ToDocument(message, 0);
        var size = document.ToBson().Length;
        TestContext.Out.WriteLine($"outbox_messages: body {body.Length:N0} chars, stored document {size:N0} bytes ({Percent(size)} of 16 MiB)");

        Assert.Multiple(() =>
        {
            Assert.That(body.Length, Is.GreaterThan(MongoDocumentLimit.MaxDocumentBytes), "uncompressed it would not fit");
            Assert.That(size, Is.LessThan(MongoDocumentLimit.MaxDocumentBytes / 4));
            Assert.That(ImageScanning.ServiceDefaults.Outbox.MongoOutboxStore.ReadBody(BsonDocumentRoundTrip(document)), Is.EqualTo(body));
            Assert.That(ImageScanning.ServiceDefaults.Outbox.MongoOutboxStore.ToDocument(small, 1)["body"].IsString, Is.True, "small bodies stay readable text");
        });
    }

    [Test]
    public void Documents_written_before_compression_still_read()
    {
        var scan = LargeImage.Scan(3);
        var old = new BsonDocument { ["_id"] = scan.ScanId.ToString(), ["ImageKey"] = scan.Key, ["CompletedAt"] = scan.CompletedAt.UtcDateTime, ["Record"] = FindingsJson.Serialize(scan) };
        var inventory = LargeImage.Inventory(3);
        var oldInventory = new BsonDocument { ["_id"] = inventory.Key, ["ScannerVersion"] = inventory.ScannerVersion, ["SavedAt"] = inventory.SavedAt.UtcDateTime, ["Inventory"] = InventoryJson.Serialize(inventory) };

        Assert.Multiple(() =>
        {
            Assert.That(FindingsJson.Serialize(MongoFindingsStore.FromDocument(BsonDocumentRoundTrip(old))), Is.EqualTo(FindingsJson.Serialize(scan)));
            Assert.That(MongoInventoryStore.FromDocument(BsonDocumentRoundTrip(oldInventory)).Packages, Is.EqualTo(inventory.Packages));
        });
    }

    [Test]
    public void A_document_of_unknown_encoding_fails_naming_the_field_instead_of_reading_garbage()
    {
        var document = new BsonDocument { ["_id"] = "x", ["Record"] = new BsonBinaryData([1, 2, 3]), ["RecordEncoding"] = "zstd" };
        var error = Assert.Throws<InvalidDataException>(() => MongoFindingsStore.FromDocument(document));
        Assert.That(error!.Message, Does.Contain("'Record'").And.Contain("zstd"));
    }

    [Test]
    public void A_scan_still_over_the_limit_compressed_fails_before_writing_naming_the_image_the_size_and_the_limit()
    {
        // Incompressible descriptions: 20,000 findings of 1 KiB of random text are ~20 MiB even as Brotli.
        var scan = LargeImage.Scan(20_000, randomDescriptionBytes: 1024);

        var error = Assert.Throws<MongoDocumentTooLargeException>(() => MongoFindingsStore.ToDocument(scan));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.SizeBytes, Is.GreaterThan(MongoDocumentLimit.MaxDocumentBytes));
            Assert.That(error.Message, Does.Contain(scan.Key).And.Contain("20000 findings").And.Contain(error.SizeBytes.ToString())
                .And.Contain("16777216").And.Contain("'scans'"));
            Assert.That(ImageScanning.ServiceDefaults.Extensions.TransientFailures.IsTransient(error), Is.False,
                "permanent: the message faults (FAILED / dead letter with this reason) instead of being retried for ever");
        });
    }

    private static BsonDocument BsonDocumentRoundTrip(BsonDocument document) =>
        MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(document.ToBson());

    private static string Percent(int size) => $"{100.0 * size / MongoDocumentLimit.MaxDocumentBytes:F1} %";

    /// <summary>
    /// An image shaped like a large real one: Debian and language packages over 12 layers (random digests), findings over ~3,000
    /// vulnerabilities with NVD-length descriptions drawn from a vocabulary (seeded, so every run measures the same bytes).
    /// </summary>
    private static class LargeImage
    {
        public static readonly ImageRef Image = new("registry.example.com", "platform/monolith", "sha256:" + new string('a', 64), ["2026.11.28", "latest"]);

        private static readonly string[] Words =
        [
            "buffer", "overflow", "in", "the", "function", "allows", "remote", "attackers", "to", "cause", "a", "denial", "of", "service",
            "via", "crafted", "input", "heap", "use-after-free", "when", "parsing", "certificate", "memory", "corruption", "execute",
            "arbitrary", "code", "integer", "null", "pointer", "dereference", "an", "authenticated", "user", "could", "read", "sensitive",
            "information", "before", "version", "request", "header", "handling", "length", "validation", "improper", "library",
        ];

        private static readonly string[] Layers = Enumerable.Range(0, 12)
            .Select(i => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();

        public static ImageScanRecord Scan(int findings, int randomDescriptionBytes = 0)
        {
            var random = new Random(13);
            var vulnerabilities = Enumerable.Range(0, 3_000).Select(i => $"CVE-{2015 + i % 11}-{10000 + i * 7}").ToArray();
            var descriptions = vulnerabilities.Select(_ => string.Join(' ', Enumerable.Range(0, 45).Select(_ => Words[random.Next(Words.Length)]))).ToArray();
            var list = Enumerable.Range(0, findings).Select(i =>
            {
                var v = i % vulnerabilities.Length;
                var package = PackageName(i % 1_500);
                var description = randomDescriptionBytes > 0 ? Convert.ToBase64String(RandomBytes(random, randomDescriptionBytes)) : descriptions[v];
                return new VulnerabilityFinding(vulnerabilities[v], ["DSA-" + (5000 + v) + "-1"], (FindingSeverity)(i % 4 + 1),
                    $"{vulnerabilities[v]} in {package}", description, "https://security-tracker.debian.org/tracker/" + vulnerabilities[v],
                    4.0 + i % 60 / 10.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", i % 3 == 0 ? null : $"{1 + i % 9}.{i % 17}.{i % 5}-{1 + i % 3}+deb12u1",
                    new PackageRecord(package, $"{1 + i % 9}.{i % 17}.{i % 5}-{1 + i % 3}", "deb", "Debian:12", package + "-src", $"{1 + i % 9}.{i % 17}", "amd64",
                        "var/lib/dpkg/status", Layers[i % Layers.Length]));
            }).ToList();
            return new ImageScanRecord(Guid.NewGuid(), Image, ScanType.ENHANCED, ScanTrigger.PUSH, ScanStatus.COMPLETE,
                "The scan was completed successfully.", null, ImageScanRecord.CountBySeverity(list), list, T0, T0.AddHours(-2));
        }

        public static StoredInventory Inventory(int packages)
        {
            var list = Enumerable.Range(0, packages).Select(i => i % 5 == 0
                ? new Package
                {
                    Name = PackageName(i), Version = $"{1 + i % 9}.{i % 23}.{i % 7}-{1 + i % 4}", Type = "deb", SourceName = PackageName(i / 3),
                    SourceVersion = $"{1 + i % 9}.{i % 23}", Architecture = i % 11 == 0 ? "all" : "amd64", FilePath = "var/lib/dpkg/status",
                    LayerDigest = Layers[i % Layers.Length],
                }
                : new Package
                {
                    Name = "@scope-" + i % 300 + "/" + PackageName(i), Version = $"{i % 13}.{i % 31}.{i % 97}", Type = "npm",
                    FilePath = $"app/node_modules/@scope-{i % 300}/{PackageName(i)}/package.json", LayerDigest = Layers[i % Layers.Length],
                }).ToList();
            return new StoredInventory(Image.Registry, Image.Repository, Image.Digest, "dpkg/1,npm/1,os-release/1",
                new Distribution("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"), list, "application/vnd.oci.image.manifest.v1+json", T0);
        }

        private static string PackageName(int i) => $"lib{Words[i % Words.Length].Replace("-", "")}{i / Words.Length}-{Words[i * 7 % Words.Length].Replace("-", "")}";

        private static byte[] RandomBytes(Random random, int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
